package dev.deepcompress.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small ONNX graphs written field by field, for the importer's tests. */
final class HandMadeModels {
  private HandMadeModels() {}

  static final OnnxGraphBuilder.Dim BATCH = OnnxGraphBuilder.Dim.symbolic("N");

  static OnnxGraphBuilder.Dim dim(long value) {
    return OnnxGraphBuilder.Dim.of(value);
  }

  static byte[] model(OnnxGraphBuilder graph, long opset) {
    return graph.toModel(8, opset, "hand", Map.of());
  }

  static float[] gaussian(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  static List<String> names(String... names) {
    return List.of(names);
  }

  static OnnxGraphBuilder.Attribute floating(String name, float value) {
    return new OnnxGraphBuilder.Attribute(
        new ProtoMessage()
            .string(OnnxFields.Attribute.NAME, name)
            .float32(OnnxFields.Attribute.F, value)
            .int64(OnnxFields.Attribute.TYPE, OnnxFields.Attribute.TYPE_FLOAT));
  }

  static OnnxGraphBuilder.Attribute text(String name, String value) {
    return new OnnxGraphBuilder.Attribute(
        new ProtoMessage()
            .string(OnnxFields.Attribute.NAME, name)
            .string(OnnxFields.Attribute.S, value)
            .int64(OnnxFields.Attribute.TYPE, OnnxFields.Attribute.TYPE_STRING));
  }

  /** A TensorProto with raw little-endian data of the given element type and size. */
  static ProtoMessage rawTensor(String name, int dataType, byte[] raw, long... dims) {
    ProtoMessage tensor = new ProtoMessage();
    for (long d : dims) {
      tensor.int64(OnnxFields.Tensor.DIMS, d);
    }
    return tensor
        .int64(OnnxFields.Tensor.DATA_TYPE, dataType)
        .string(OnnxFields.Tensor.NAME, name)
        .bytes(OnnxFields.Tensor.RAW_DATA, raw);
  }

  static ProtoMessage int64Tensor(String name, long... values) {
    ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    return rawTensor(name, OnnxFields.Tensor.TYPE_INT64, raw.array(), values.length);
  }

  /** A Constant node whose {@code value} attribute is {@code tensor}. */
  static OnnxGraphBuilder constant(OnnxGraphBuilder graph, String output, ProtoMessage tensor) {
    return graph.node(
        "Constant",
        "/Constant_" + output,
        List.of(),
        List.of(output),
        new OnnxGraphBuilder.Attribute(
            new ProtoMessage()
                .string(OnnxFields.Attribute.NAME, "value")
                .message(OnnxFields.Attribute.T, tensor)
                .int64(OnnxFields.Attribute.TYPE, OnnxFields.Attribute.TYPE_TENSOR)));
  }
}
