package dev.deepcompress.runtime.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A pruned, weight-shared tensor (Deep Compression): only the non-zero elements are stored, each as
 * its flat row-major position and an index into a codebook of at most {@code 2^indexBits} fp32
 * values; every other element is zero. {@code gapBits} is the width of the position gaps the file
 * stores (see docs/model-format.md); it does not change the values. Immutable: arrays are copied in
 * and out.
 */
public final class SparseQuantizedTensor implements Tensor {
  /** Widest codebook index: a codebook has at most 256 entries. */
  public static final int MAX_INDEX_BITS = 8;

  /** Widest position gap field. */
  public static final int MAX_GAP_BITS = 8;

  private final Shape shape;
  private final float[] codebook;
  private final int[] positions;
  private final byte[] codes;
  private final int indexBits;
  private final int gapBits;

  /**
   * @param codebook at most {@code 2^indexBits} finite values; may be empty only if there are no
   *     non-zeros
   * @param positions flat row-major indices of the stored elements, strictly ascending, within the
   *     shape
   * @param codes codebook index of each stored element (unsigned), aligned with {@code positions}
   * @param indexBits 1..{@value #MAX_INDEX_BITS}
   * @param gapBits 1..{@value #MAX_GAP_BITS}
   * @throws IllegalArgumentException if any of those conditions does not hold
   */
  public SparseQuantizedTensor(
      Shape shape, float[] codebook, int[] positions, byte[] codes, int indexBits, int gapBits) {
    this.shape = Objects.requireNonNull(shape, "shape");
    this.codebook = codebook.clone();
    this.positions = positions.clone();
    this.codes = codes.clone();
    this.indexBits = indexBits;
    this.gapBits = gapBits;
    checkBits("index", indexBits, MAX_INDEX_BITS);
    checkBits("gap", gapBits, MAX_GAP_BITS);
    if (this.codebook.length > 1 << indexBits) {
      throw new IllegalArgumentException(
          "codebook of "
              + this.codebook.length
              + " entries does not fit "
              + indexBits
              + "-bit indices (at most "
              + (1 << indexBits)
              + ")");
    }
    for (int k = 0; k < this.codebook.length; k++) {
      if (!Float.isFinite(this.codebook[k])) {
        throw new IllegalArgumentException("codebook entry " + k + " is " + this.codebook[k]);
      }
    }
    if (this.positions.length != this.codes.length) {
      throw new IllegalArgumentException(
          this.positions.length + " positions but " + this.codes.length + " codes");
    }
    int previous = -1;
    for (int i = 0; i < this.positions.length; i++) {
      int p = this.positions[i];
      if (p <= previous || p >= shape.elementCount()) {
        throw new IllegalArgumentException(
            "position "
                + p
                + " at index "
                + i
                + " is not above the previous one ("
                + previous
                + ") and below the element count "
                + shape.elementCount());
      }
      int code = Byte.toUnsignedInt(this.codes[i]);
      if (code >= this.codebook.length) {
        throw new IllegalArgumentException(
            "code "
                + code
                + " at index "
                + i
                + " is outside the codebook of "
                + this.codebook.length
                + " entries");
      }
      previous = p;
    }
  }

  private static void checkBits(String what, int bits, int max) {
    if (bits < 1 || bits > max) {
      throw new IllegalArgumentException(what + " bits " + bits + " are outside 1.." + max);
    }
  }

  /**
   * Stores the non-zero elements of {@code values} with a codebook of their distinct values, sorted
   * ascending (so the same values always give the same tensor). Zeros of either sign are not stored
   * and decode as +0.
   *
   * @throws IllegalArgumentException naming the parameter if a value is not finite, the length does
   *     not match the shape, the bit widths are out of range, or the distinct non-zero values are
   *     more than {@code 2^indexBits}
   */
  public static SparseQuantizedTensor fromDense(
      ParameterSpec spec, float[] values, int indexBits, int gapBits) {
    Shape shape = spec.shape();
    if (values.length != shape.elementCount()) {
      throw new IllegalArgumentException(
          "parameter "
              + spec.name()
              + ": "
              + values.length
              + " values for shape "
              + shape
              + ", which needs "
              + shape.elementCount());
    }
    checkBits("parameter " + spec.name() + ": index", indexBits, MAX_INDEX_BITS);
    TreeSet<Float> distinct = new TreeSet<>();
    int nonZeros = 0;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(
            "parameter " + spec.name() + "[" + i + "] is " + v + ": only finite values compress");
      }
      if (v != 0f) {
        nonZeros++;
        // Stop early: a dense tensor may hold millions of distinct values.
        if (distinct.add(v) && distinct.size() > 1 << indexBits) {
          throw new IllegalArgumentException(
              "parameter "
                  + spec.name()
                  + " has more than "
                  + (1 << indexBits)
                  + " distinct non-zero values (found "
                  + distinct.size()
                  + " in its first "
                  + (i + 1)
                  + " of "
                  + values.length
                  + " elements): a "
                  + indexBits
                  + "-bit codebook holds at most "
                  + (1 << indexBits)
                  + "; cluster the weights first");
        }
      }
    }
    float[] codebook = new float[distinct.size()];
    int k = 0;
    for (float v : distinct) {
      codebook[k++] = v;
    }
    int[] positions = new int[nonZeros];
    byte[] codes = new byte[nonZeros];
    for (int i = 0, n = 0; i < values.length; i++) {
      if (values[i] != 0f) {
        positions[n] = i;
        codes[n] = (byte) Arrays.binarySearch(codebook, values[i]);
        n++;
      }
    }
    try {
      return new SparseQuantizedTensor(shape, codebook, positions, codes, indexBits, gapBits);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("parameter " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public float[] toDense() {
    float[] values = new float[shape.elementCount()];
    for (int i = 0; i < positions.length; i++) {
      values[positions[i]] = codebook[Byte.toUnsignedInt(codes[i])];
    }
    return values;
  }

  public int indexBits() {
    return indexBits;
  }

  public int gapBits() {
    return gapBits;
  }

  /** Number of stored elements. */
  public int nonZeroCount() {
    return positions.length;
  }

  public float[] codebook() {
    return codebook.clone();
  }

  /** Flat row-major indices of the stored elements, ascending. */
  public int[] positions() {
    return positions.clone();
  }

  /** Unsigned codebook index of each stored element, aligned with {@link #positions()}. */
  public byte[] codes() {
    return codes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseQuantizedTensor other
        && shape.equals(other.shape)
        && indexBits == other.indexBits
        && gapBits == other.gapBits
        && Arrays.equals(codebook, other.codebook)
        && Arrays.equals(positions, other.positions)
        && Arrays.equals(codes, other.codes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        shape,
        indexBits,
        gapBits,
        Arrays.hashCode(codebook),
        Arrays.hashCode(positions),
        Arrays.hashCode(codes));
  }

  @Override
  public String toString() {
    return "SparseQuantizedTensor["
        + shape
        + ", "
        + positions.length
        + " non-zeros, "
        + codebook.length
        + "-entry codebook, index bits "
        + indexBits
        + ", gap bits "
        + gapBits
        + "]";
  }
}
