package dev.deepcompress.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One fully connected layer without bias, {@code Y = X·Wᵀ} for a batch of rows, as an ONNX model
 * for ONNX Runtime: a single Gemm node with {@code transB = 1}, so the weight keeps its row-major
 * [outputs, inputs] layout, held as an initializer. The bytes are written from the field numbers of
 * onnx.proto with {@link ProtoWriter}, so no protobuf or ONNX library is needed.
 */
final class OnnxFullyConnected {
  static final String INPUT = "x";
  static final String OUTPUT = "y";
  private static final String WEIGHT = "w";

  // IR version 7 (ONNX 1.8) is the one released with operator set 13.
  private static final long IR_VERSION = 7;
  private static final long OPSET_VERSION = 13;

  // Field numbers and enum values of onnx.proto, message by message.
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION_FIELD = 2;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_I = 3;
  private static final int ATTRIBUTE_TYPE = 20;
  private static final int ATTRIBUTE_TYPE_INT = 2;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int DATA_TYPE_FLOAT = 1;
  private static final int VALUE_INFO_NAME = 1;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR_TYPE = 1;
  private static final int TENSOR_TYPE_ELEM_TYPE = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIMENSION_VALUE = 1;

  private OnnxFullyConnected() {}

  /**
   * The serialized ModelProto: input {@value #INPUT} is [batch, inputs], output {@value #OUTPUT} is
   * [batch, outputs].
   *
   * @param weight {@code outputs × inputs}, row-major
   */
  static byte[] model(float[] weight, int outputs, int inputs, int batch) {
    if (weight.length != (long) outputs * inputs) {
      throw new IllegalArgumentException(
          weight.length + " weights for a " + outputs + "×" + inputs + " layer");
    }
    ByteBuffer raw = ByteBuffer.allocate(4 * weight.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(weight);
    ProtoWriter initializer =
        new ProtoWriter()
            .varint(TENSOR_DIMS, outputs)
            .varint(TENSOR_DIMS, inputs)
            .varint(TENSOR_DATA_TYPE, DATA_TYPE_FLOAT)
            .string(TENSOR_NAME, WEIGHT)
            .bytes(TENSOR_RAW_DATA, raw.array());
    ProtoWriter transB =
        new ProtoWriter()
            .string(ATTRIBUTE_NAME, "transB")
            .varint(ATTRIBUTE_I, 1)
            .varint(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
    ProtoWriter gemm =
        new ProtoWriter()
            .string(NODE_INPUT, INPUT)
            .string(NODE_INPUT, WEIGHT)
            .string(NODE_OUTPUT, OUTPUT)
            .string(NODE_OP_TYPE, "Gemm")
            .message(NODE_ATTRIBUTE, transB);
    ProtoWriter graph =
        new ProtoWriter()
            .message(GRAPH_NODE, gemm)
            .string(GRAPH_NAME, "fully_connected")
            .message(GRAPH_INITIALIZER, initializer)
            .message(GRAPH_INPUT, floatMatrix(INPUT, batch, inputs))
            .message(GRAPH_OUTPUT, floatMatrix(OUTPUT, batch, outputs));
    ProtoWriter opset =
        new ProtoWriter().string(OPSET_DOMAIN, "").varint(OPSET_VERSION_FIELD, OPSET_VERSION);
    return new ProtoWriter()
        .varint(MODEL_IR_VERSION, IR_VERSION)
        .message(MODEL_GRAPH, graph)
        .message(MODEL_OPSET_IMPORT, opset)
        .toByteArray();
  }

  /** A ValueInfoProto: a named float tensor of shape [rows, columns]. */
  private static ProtoWriter floatMatrix(String name, int rows, int columns) {
    ProtoWriter shape =
        new ProtoWriter()
            .message(SHAPE_DIM, new ProtoWriter().varint(DIMENSION_VALUE, rows))
            .message(SHAPE_DIM, new ProtoWriter().varint(DIMENSION_VALUE, columns));
    ProtoWriter tensorType =
        new ProtoWriter()
            .varint(TENSOR_TYPE_ELEM_TYPE, DATA_TYPE_FLOAT)
            .message(TENSOR_TYPE_SHAPE, shape);
    return new ProtoWriter()
        .string(VALUE_INFO_NAME, name)
        .message(VALUE_INFO_TYPE, new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType));
  }

  /**
   * A session that runs {@code model} on {@code threads} intra-op threads (the calling thread
   * included, as with our kernels), one operator at a time, with every graph optimization.
   */
  static OrtSession open(OrtEnvironment environment, byte[] model, int threads)
      throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return environment.createSession(model, options);
    }
  }
}
