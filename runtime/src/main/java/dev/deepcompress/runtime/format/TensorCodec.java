package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;

/** Payload of a TENS section: name, encoding id, shape, then the encoding's own data. */
final class TensorCodec {
  private TensorCodec() {}

  static void write(ByteWriter out, ParameterSpec spec, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException(
            "parameter "
                + spec.name()
                + "["
                + i
                + "] is "
                + values[i]
                + ": a model with non-finite parameters cannot be written");
      }
    }
    out.string(spec.name());
    out.u8(TensorEncoding.DENSE_FP32.id);
    ArchitectureCodec.writeShape(out, spec.shape());
    out.floats(values);
  }

  /** Reads the tensor that must come next, {@code expected}, checking it against the spec. */
  static float[] read(ByteReader in, ParameterSpec expected) throws ModelFormatException {
    int nameAt = in.position();
    String name = in.string("tensor name");
    in.section("TENS '" + name + "'");
    if (!name.equals(expected.name())) {
      throw in.errorAt(
          nameAt,
          "expected tensor '"
              + expected.name()
              + "' here (architecture order) but found '"
              + name
              + "'");
    }
    int encodingAt = in.position();
    int id = in.u8("encoding id");
    TensorEncoding encoding = TensorEncoding.byId(id);
    if (encoding == null) {
      throw in.errorAt(
          encodingAt,
          "unknown tensor encoding id "
              + id
              + " (this reader knows "
              + TensorEncoding.known()
              + ")");
    }
    int shapeAt = in.position();
    Shape shape = ArchitectureCodec.readShape(in, "tensor shape");
    if (!shape.equals(expected.shape())) {
      throw in.errorAt(
          shapeAt, "shape " + shape + " does not match the architecture's " + expected.shape());
    }
    float[] values =
        switch (encoding) {
          case DENSE_FP32 -> readDenseFp32(in, shape.elementCount());
        };
    in.requireEnd();
    return values;
  }

  private static float[] readDenseFp32(ByteReader in, int count) throws ModelFormatException {
    long bytes = 4L * count;
    if (bytes > in.remaining()) {
      throw in.error(
          "declared "
              + count
              + " values ("
              + bytes
              + " bytes) but only "
              + in.remaining()
              + " bytes remain");
    }
    int start = in.position();
    float[] values = new float[count];
    in.floats(values);
    for (int i = 0; i < count; i++) {
      if (!Float.isFinite(values[i])) {
        throw in.errorAt(
            start + 4L * i,
            "value " + i + " is " + values[i] + "; a model's parameters must be finite");
      }
    }
    return values;
  }
}
