package dev.deepcompress.compression;

import dev.deepcompress.runtime.model.SparseQuantizedTensor;

/**
 * The kept weights of one tensor as a quantizer leaves them: one index of {@link #bits()} bits per
 * kept weight, in ascending position order, and the quantizer's parameters that turn an index into
 * a value. A k-means codebook is one such parameter set; a quantizer whose levels follow a formula
 * (a scale and zero point, per tensor or per output channel; powers of two) is another kind of this
 * type, so the writer stores its parameters rather than a table of floats.
 *
 * <p>Sealed: each kind has its case wherever a value is decoded or written, and the compiler names
 * the places a new kind must reach.
 */
public sealed interface Quantized permits Codebook, Parametric {

  /** The widest index any quantizer may use: the file format's limit. */
  int MAX_BITS = SparseQuantizedTensor.MAX_INDEX_BITS;

  /** Index width, 1..{@value #MAX_BITS}. */
  int bits();

  /** One index per kept weight, in ascending position order. */
  int[] indices();

  /** Number of kept weights this quantization covers. */
  int count();

  /** The value {@code index} stands for at flat position {@code position}. */
  float value(int index, int position);

  /**
   * The dense tensor the indices stand for: the value of each kept element of {@code mask} in
   * ascending position order, +0.0 for every pruned one.
   *
   * @throws IllegalArgumentException if {@code mask} keeps another number of elements than {@link
   *     #count()}
   */
  default float[] dequantize(Mask mask) {
    int[] indices = indices();
    if (mask.keptCount() != indices.length) {
      throw new IllegalArgumentException(
          indices.length + " indices for a mask that keeps " + mask.keptCount());
    }
    float[] weights = new float[mask.size()];
    int[] positions = mask.keptPositions();
    for (int j = 0; j < positions.length; j++) {
      weights[positions[j]] = value(indices[j], positions[j]);
    }
    return weights;
  }

  /** Throws unless {@code bits} is an index width every stage and the file accept. */
  static void requireBits(int bits) {
    if (bits < 1 || bits > MAX_BITS) {
      throw new IllegalArgumentException("index bits must be in 1.." + MAX_BITS + ", got " + bits);
    }
  }
}
