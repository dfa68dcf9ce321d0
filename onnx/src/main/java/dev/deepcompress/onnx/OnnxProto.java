package dev.deepcompress.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model that the importer reads, as {@link OnnxParser} decodes them from the
 * protobuf messages of the same names. Fields the importer has no use for are skipped while parsing
 * and do not appear here.
 */
final class OnnxProto {
  private OnnxProto() {}

  /** {@code ModelProto}: the opset versions by domain ("" is the default ONNX domain). */
  record Model(long irVersion, String producer, Map<String, Long> opsets, Graph graph) {}

  /** {@code GraphProto}; {@code sparseInitializers} counts the initializers stored sparse. */
  record Graph(
      String name,
      List<Node> nodes,
      List<Tensor> initializers,
      int sparseInitializers,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs) {}

  /** {@code NodeProto}; an optional input that is left out is the empty string. */
  record Node(
      String name,
      String opType,
      String domain,
      List<String> inputs,
      List<String> outputs,
      Map<String, Attribute> attributes) {}

  /** {@code AttributeProto}: {@code type} says which of the value fields holds the value. */
  record Attribute(
      String name, int type, float f, long i, String s, Tensor t, float[] floats, long[] ints) {}

  /**
   * {@code TensorProto} with its element count checked against its data by the parser: the data is
   * either {@code raw} (little-endian) or one of the typed arrays, and holds exactly {@link
   * #elementCount()} elements of {@code dataType} when the type is one the parser knows (float32,
   * int32, int64, bool); {@code external} tensors carry no data here.
   */
  record Tensor(
      String name,
      long[] dims,
      int dataType,
      ByteString raw,
      float[] floatData,
      long[] int64Data,
      int[] int32Data,
      boolean external) {

    int elementCount() {
      long count = 1;
      for (long d : dims) {
        count *= d;
      }
      return (int) count;
    }

    /** The elements of a float32 tensor, row-major. */
    float[] floats() {
      if (raw == null) {
        return floatData.clone();
      }
      float[] values = new float[elementCount()];
      raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      return values;
    }

    /** The elements of an int64 tensor, row-major. */
    long[] int64s() {
      if (raw == null) {
        return int64Data.clone();
      }
      long[] values = new long[elementCount()];
      raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
      return values;
    }

    /** The elements of a bool tensor (one byte each), as 0 or 1. */
    long[] bools() {
      long[] values = new long[elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = raw != null ? raw.byteAt(i) : int32Data[i];
      }
      return values;
    }

    String shapeText() {
      if (dims.length == 0) {
        return "scalar";
      }
      StringBuilder text = new StringBuilder();
      for (long d : dims) {
        text.append(text.isEmpty() ? "" : "×").append(d);
      }
      return text.toString();
    }
  }

  /**
   * {@code ValueInfoProto} of a tensor: its element type and its dimensions, or null dims if the
   * file gives no shape.
   */
  record ValueInfo(String name, int elemType, List<Dim> dims) {}

  /** A {@code TensorShapeProto.Dimension}: a value, or a symbolic {@code param}, or neither. */
  record Dim(long value, String param) {
    boolean isKnown() {
      return param == null && value > 0;
    }

    @Override
    public String toString() {
      return param != null ? param : value > 0 ? Long.toString(value) : "?";
    }
  }
}
