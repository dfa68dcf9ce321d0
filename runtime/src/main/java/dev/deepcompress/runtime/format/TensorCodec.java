package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;

/** Payload of a TENS section: name, encoding id, shape, then the encoding's own data. */
final class TensorCodec {
  private TensorCodec() {}

  /** A tensor as read, with what its section costs. */
  record ReadTensor(Tensor tensor, TensorLayout layout) {}

  static void write(ByteWriter out, ParameterSpec spec, Tensor tensor) {
    if (tensor instanceof DenseTensor dense) {
      requireFinite(spec, dense.values());
    }
    out.string(spec.name());
    TensorEncoding encoding = TensorEncoding.of(tensor);
    out.u8(encoding.id());
    ArchitectureCodec.writeShape(out, spec.shape());
    switch (tensor) {
      case DenseTensor dense -> out.floats(dense.values());
      case SparseQuantizedTensor sparse ->
          SparseQuantizedCodec.write(
              out,
              sparse,
              encoding == TensorEncoding.SPARSE_QUANTIZED_CONTEXT
                  ? SparseQuantizedCodec.contextBuckets(sparse)
                  : 0);
      case QuantizedTensor quantized -> QuantizedCodec.write(out, quantized);
    }
  }

  private static void requireFinite(ParameterSpec spec, float[] values) {
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
  }

  /**
   * Reads the tensor that must come next, {@code expected}, checking it against the spec.
   *
   * @param sectionBytes size of the whole TENS section, for the layout
   */
  static ReadTensor read(ByteReader in, ParameterSpec expected, long sectionBytes)
      throws ModelFormatException {
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
    ReadTensor result =
        switch (encoding) {
          case DENSE_FP32 -> {
            float[] values = readDenseFp32(in, shape.elementCount());
            int nonZeros = 0;
            for (float v : values) {
              nonZeros += v != 0f ? 1 : 0;
            }
            yield new ReadTensor(
                new DenseTensor(shape, values),
                new TensorLayout(
                    name,
                    expected.role(),
                    shape,
                    encoding,
                    sectionBytes,
                    nonZeros,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    4L * values.length));
          }
          case SPARSE_QUANTIZED, SPARSE_QUANTIZED_CONTEXT -> {
            SparseQuantizedCodec.Decoded decoded =
                SparseQuantizedCodec.read(
                    in, shape, encoding == TensorEncoding.SPARSE_QUANTIZED_CONTEXT);
            SparseQuantizedTensor tensor = decoded.tensor();
            yield new ReadTensor(
                tensor,
                new TensorLayout(
                    name,
                    expected.role(),
                    shape,
                    encoding,
                    sectionBytes,
                    tensor.nonZeroCount(),
                    tensor.indexBits(),
                    tensor.gapBits(),
                    decoded.fillers(),
                    decoded.indexPayloadBits(),
                    decoded.gapPayloadBits(),
                    decoded.codebookBytes(),
                    0,
                    decoded.huffmanTableBytes(),
                    0));
          }
          case QUANTIZED -> {
            QuantizedCodec.Decoded decoded = QuantizedCodec.read(in, shape);
            QuantizedTensor tensor = decoded.tensor();
            yield new ReadTensor(
                tensor,
                new TensorLayout(
                    name,
                    expected.role(),
                    shape,
                    encoding,
                    sectionBytes,
                    tensor.storedCount(),
                    tensor.indexBits(),
                    tensor.gapBits(),
                    decoded.fillers(),
                    decoded.indexPayloadBits(),
                    decoded.gapPayloadBits(),
                    decoded.tableBytes(),
                    decoded.parameterBytes(),
                    decoded.huffmanTableBytes(),
                    0));
          }
        };
    in.requireEnd();
    return result;
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
