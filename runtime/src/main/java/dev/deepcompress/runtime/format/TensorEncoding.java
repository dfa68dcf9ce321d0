package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;

/**
 * How a TENS section stores its values. The id is what the file holds; never reuse or renumber one.
 * Adding an encoding means a constant here, with the minor format version that introduced it, and a
 * case in {@link TensorCodec}.
 */
public enum TensorEncoding {
  /** Row-major little-endian IEEE 754 binary32, one per element. */
  DENSE_FP32(0, 0),

  /** Non-zeros only: Huffman-coded position gaps and codebook indices, fp32 codebook. */
  SPARSE_QUANTIZED(1, 1),

  /**
   * Any quantizer's levels (a table, affine scales and zero points, powers of two), every element
   * or only the stored ones: Huffman-coded gaps (if sparse) and level indices.
   */
  QUANTIZED(2, 3),

  /**
   * SPARSE_QUANTIZED with the indices in several Huffman streams, one per bucket of the index of
   * the element just before (or none stored there), for layers whose neighbouring weights are
   * alike.
   */
  SPARSE_QUANTIZED_CONTEXT(3, 4);

  private final int id;
  private final int sinceMinorVersion;

  TensorEncoding(int id, int sinceMinorVersion) {
    this.id = id;
    this.sinceMinorVersion = sinceMinorVersion;
  }

  /** The encoding id stored in the file. */
  public int id() {
    return id;
  }

  /** The minor format version that introduced this encoding; a file using it has at least that. */
  int sinceMinorVersion() {
    return sinceMinorVersion;
  }

  /** The encoding the writer uses for this tensor: for a sparse one, the smaller of 1 and 3. */
  static TensorEncoding of(Tensor tensor) {
    return switch (tensor) {
      case DenseTensor dense -> DENSE_FP32;
      case SparseQuantizedTensor sparse ->
          SparseQuantizedCodec.contextBuckets(sparse) > 0
              ? SPARSE_QUANTIZED_CONTEXT
              : SPARSE_QUANTIZED;
      case QuantizedTensor quantized -> QUANTIZED;
    };
  }

  /** The encoding with this id, or null if this reader does not know it. */
  static TensorEncoding byId(int id) {
    for (TensorEncoding encoding : values()) {
      if (encoding.id == id) {
        return encoding;
      }
    }
    return null;
  }

  /** The ids this reader knows, for error messages, e.g. {@code 0 (DENSE_FP32)}. */
  static String known() {
    StringBuilder text = new StringBuilder();
    for (TensorEncoding encoding : values()) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(encoding.id)
          .append(" (")
          .append(encoding)
          .append(')');
    }
    return text.toString();
  }
}
