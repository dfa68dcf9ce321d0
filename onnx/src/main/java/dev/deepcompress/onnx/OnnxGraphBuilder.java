package dev.deepcompress.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an ONNX model: one graph of nodes, float32 initializers and float32 inputs and outputs,
 * serialized with protobuf-java ({@link ProtoMessage}) by the field numbers of {@link OnnxFields}.
 * Nodes are written in the order they are added, which must be a topological order.
 */
public final class OnnxGraphBuilder {
  private final String graphName;
  private final List<ProtoMessage> nodes = new ArrayList<>();
  private final List<ProtoMessage> initializers = new ArrayList<>();
  private final List<ProtoMessage> inputs = new ArrayList<>();
  private final List<ProtoMessage> outputs = new ArrayList<>();

  /** A tensor dimension: a fixed size, or a symbolic one such as the batch. */
  public record Dim(long value, String param) {
    public static Dim of(long value) {
      return new Dim(value, null);
    }

    public static Dim symbolic(String param) {
      return new Dim(0, param);
    }
  }

  /** A node attribute, already encoded. */
  public static final class Attribute {
    private final ProtoMessage message;

    /** Any {@code AttributeProto}, for hand-made test models. */
    Attribute(ProtoMessage message) {
      this.message = message;
    }
  }

  public OnnxGraphBuilder(String graphName) {
    this.graphName = graphName;
  }

  public static Attribute integer(String name, long value) {
    return new Attribute(
        new ProtoMessage()
            .string(OnnxFields.Attribute.NAME, name)
            .int64(OnnxFields.Attribute.I, value)
            .int64(OnnxFields.Attribute.TYPE, OnnxFields.Attribute.TYPE_INT));
  }

  public static Attribute integers(String name, long... values) {
    ProtoMessage message = new ProtoMessage().string(OnnxFields.Attribute.NAME, name);
    for (long value : values) {
      message.int64(OnnxFields.Attribute.INTS, value);
    }
    return new Attribute(message.int64(OnnxFields.Attribute.TYPE, OnnxFields.Attribute.TYPE_INTS));
  }

  /** A float32 graph input. */
  public OnnxGraphBuilder input(String name, Dim... dims) {
    inputs.add(valueInfo(name, dims));
    return this;
  }

  /** A float32 graph output. */
  public OnnxGraphBuilder output(String name, Dim... dims) {
    outputs.add(valueInfo(name, dims));
    return this;
  }

  /** A float32 initializer, stored as little-endian raw data. */
  public OnnxGraphBuilder initializer(String name, float[] values, long... dims) {
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    if (count != values.length) {
      throw new IllegalArgumentException(
          "initializer " + name + ": " + values.length + " values for " + count + " elements");
    }
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    ProtoMessage tensor = new ProtoMessage();
    for (long d : dims) {
      tensor.int64(OnnxFields.Tensor.DIMS, d);
    }
    initializers.add(
        tensor
            .int64(OnnxFields.Tensor.DATA_TYPE, OnnxFields.Tensor.TYPE_FLOAT)
            .string(OnnxFields.Tensor.NAME, name)
            .bytes(OnnxFields.Tensor.RAW_DATA, raw.array()));
    return this;
  }

  /** Any {@code TensorProto} as an initializer, for hand-made test models. */
  OnnxGraphBuilder initializer(ProtoMessage tensor) {
    initializers.add(tensor);
    return this;
  }

  /** A node of the default ONNX domain. */
  public OnnxGraphBuilder node(
      String opType,
      String name,
      List<String> nodeInputs,
      List<String> nodeOutputs,
      Attribute... attributes) {
    ProtoMessage node = new ProtoMessage();
    nodeInputs.forEach(input -> node.string(OnnxFields.Node.INPUT, input));
    nodeOutputs.forEach(output -> node.string(OnnxFields.Node.OUTPUT, output));
    node.string(OnnxFields.Node.NAME, name).string(OnnxFields.Node.OP_TYPE, opType);
    for (Attribute attribute : attributes) {
      node.message(OnnxFields.Node.ATTRIBUTE, attribute.message);
    }
    nodes.add(node);
    return this;
  }

  /**
   * The serialized {@code ModelProto}.
   *
   * @param metadata written as the model's {@code metadata_props}, in iteration order
   */
  public byte[] toModel(long irVersion, long opset, String producer, Map<String, String> metadata) {
    ProtoMessage graph = new ProtoMessage();
    nodes.forEach(node -> graph.message(OnnxFields.Graph.NODE, node));
    graph.string(OnnxFields.Graph.NAME, graphName);
    initializers.forEach(tensor -> graph.message(OnnxFields.Graph.INITIALIZER, tensor));
    inputs.forEach(input -> graph.message(OnnxFields.Graph.INPUT, input));
    outputs.forEach(output -> graph.message(OnnxFields.Graph.OUTPUT, output));
    ProtoMessage model =
        new ProtoMessage()
            .int64(OnnxFields.Model.IR_VERSION, irVersion)
            .string(OnnxFields.Model.PRODUCER_NAME, producer)
            .message(OnnxFields.Model.GRAPH, graph)
            .message(
                OnnxFields.Model.OPSET_IMPORT,
                new ProtoMessage()
                    .string(OnnxFields.OperatorSetId.DOMAIN, "")
                    .int64(OnnxFields.OperatorSetId.VERSION, opset));
    metadata.forEach(
        (key, value) ->
            model.message(
                OnnxFields.Model.METADATA_PROPS,
                new ProtoMessage()
                    .string(OnnxFields.StringStringEntry.KEY, key)
                    .string(OnnxFields.StringStringEntry.VALUE, value)));
    return model.toByteArray();
  }

  private static ProtoMessage valueInfo(String name, Dim... dims) {
    ProtoMessage shape = new ProtoMessage();
    for (Dim dim : dims) {
      shape.message(
          OnnxFields.TensorShape.DIM,
          dim.param() != null
              ? new ProtoMessage().string(OnnxFields.TensorShape.DIM_PARAM, dim.param())
              : new ProtoMessage().int64(OnnxFields.TensorShape.DIM_VALUE, dim.value()));
    }
    ProtoMessage tensorType =
        new ProtoMessage()
            .int64(OnnxFields.Type.TENSOR_ELEM_TYPE, OnnxFields.Tensor.TYPE_FLOAT)
            .message(OnnxFields.Type.TENSOR_SHAPE, shape);
    return new ProtoMessage()
        .string(OnnxFields.ValueInfo.NAME, name)
        .message(
            OnnxFields.ValueInfo.TYPE,
            new ProtoMessage().message(OnnxFields.Type.TENSOR_TYPE, tensorType));
  }
}
