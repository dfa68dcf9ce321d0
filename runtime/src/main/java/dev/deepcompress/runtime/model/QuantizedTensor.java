package dev.deepcompress.runtime.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A tensor whose stored elements are each an index into {@link Levels}: a table, an affine grid
 * with per-group scales, or powers of two (docs/model-format.md §5.4). Either every element is
 * stored ({@link #isDense()}; an unpruned layer or a bias) or only some are, at positions the file
 * codes as gaps of {@link #gapBits()} bits; every element not stored is +0.0. Immutable: arrays are
 * copied in and out.
 */
public final class QuantizedTensor implements Tensor {
  /** Gap bits of a tensor that stores every element (and so has no gap stream). */
  public static final int DENSE = 0;

  private final Shape shape;
  private final Levels levels;
  private final int[] positions;
  private final byte[] codes;
  private final int indexBits;
  private final int gapBits;

  /**
   * @param positions flat row-major indices of the stored elements, strictly ascending, within the
   *     shape; with {@code gapBits} {@link #DENSE}, every element in order
   * @param codes the level index of each stored element (unsigned), aligned with {@code positions}
   * @param indexBits 1..{@value SparseQuantizedTensor#MAX_INDEX_BITS}
   * @param gapBits {@link #DENSE} or 1..{@value SparseQuantizedTensor#MAX_GAP_BITS}
   * @throws IllegalArgumentException if any of those conditions does not hold, the levels do not
   *     fit the shape and index width, or a code is not a level
   */
  public QuantizedTensor(
      Shape shape, Levels levels, int[] positions, byte[] codes, int indexBits, int gapBits) {
    this.shape = Objects.requireNonNull(shape, "shape");
    this.levels = Objects.requireNonNull(levels, "levels");
    this.positions = positions.clone();
    this.codes = codes.clone();
    this.indexBits = indexBits;
    this.gapBits = gapBits;
    if (indexBits < 1 || indexBits > SparseQuantizedTensor.MAX_INDEX_BITS) {
      throw new IllegalArgumentException("index bits " + indexBits + " are outside 1..8");
    }
    if (gapBits < DENSE || gapBits > SparseQuantizedTensor.MAX_GAP_BITS) {
      throw new IllegalArgumentException("gap bits " + gapBits + " are outside 0..8");
    }
    levels.requireFits(shape, indexBits);
    if (this.positions.length != this.codes.length) {
      throw new IllegalArgumentException(
          this.positions.length + " positions but " + this.codes.length + " codes");
    }
    if (gapBits == DENSE && this.positions.length != shape.elementCount()) {
      throw new IllegalArgumentException(
          "a dense quantized tensor stores all "
              + shape.elementCount()
              + " elements, not "
              + this.positions.length);
    }
    int previous = -1;
    for (int i = 0; i < this.positions.length; i++) {
      int p = this.positions[i];
      if (p <= previous || p >= shape.elementCount()) {
        throw new IllegalArgumentException(
            "position " + p + " at index " + i + " is not above " + previous + " and in the shape");
      }
      if (!levels.isLevel(Byte.toUnsignedInt(this.codes[i]))) {
        throw new IllegalArgumentException(
            "code " + Byte.toUnsignedInt(this.codes[i]) + " at index " + i + " is not a level");
      }
      previous = p;
    }
  }

  /** Every element stored: {@code codes[i]} is element {@code i}'s level index. */
  public static QuantizedTensor dense(Shape shape, Levels levels, byte[] codes, int indexBits) {
    int[] positions = new int[codes.length];
    Arrays.setAll(positions, i -> i);
    return new QuantizedTensor(shape, levels, positions, codes, indexBits, DENSE);
  }

  @Override
  public Shape shape() {
    return shape;
  }

  public Levels levels() {
    return levels;
  }

  @Override
  public float[] toDense() {
    float[] values = new float[shape.elementCount()];
    for (int i = 0; i < positions.length; i++) {
      values[positions[i]] = levels.value(Byte.toUnsignedInt(codes[i]), positions[i]);
    }
    return values;
  }

  public boolean isDense() {
    return gapBits == DENSE;
  }

  public int indexBits() {
    return indexBits;
  }

  /** Gap width, or {@link #DENSE}. */
  public int gapBits() {
    return gapBits;
  }

  public int storedCount() {
    return positions.length;
  }

  /** Flat row-major indices of the stored elements, ascending. */
  public int[] positions() {
    return positions.clone();
  }

  /** Unsigned level index of each stored element, aligned with {@link #positions()}. */
  public byte[] codes() {
    return codes.clone();
  }

  /**
   * This tensor as a codebook tensor, for the compressed-form kernels, and a scale per row (output
   * channel) to multiply each row's product by, or null if none is needed; empty if the levels are
   * not one codebook for the whole tensor, even up to a row scale (affine levels with several
   * groups per row, or with a zero point per row at 8 bits).
   *
   * <p>A table or powers of two is the codebook itself; affine levels of one group give the
   * codebook {@code S (index − Z)}. Affine levels with one group per row give the codebook of
   * {@code d} (for a zero point per row, each code shifted by {@code 2^q − 1 − Z} into a codebook
   * of {@code 2^(q+1) − 1} entries) and the rows' scales.
   */
  public Optional<CodebookForm> codebookForm() {
    int[] codes = new int[this.codes.length];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = Byte.toUnsignedInt(this.codes[i]);
    }
    return switch (levels) {
      case Levels.Table table -> Optional.of(form(table.entries(), codes, null));
      case Levels.PowersOfTwo log -> {
        float[] codebook = new float[2 * log.magnitudes() + 1];
        for (int k = 0; k < codebook.length; k++) {
          codebook[k] = log.value(k, 0);
        }
        yield Optional.of(form(codebook, codes, null));
      }
      case Levels.Affine affine -> affineForm(affine, codes);
    };
  }

  /** What {@link #codebookForm()} gives: the kernel's tensor, and row scales or null. */
  public record CodebookForm(SparseQuantizedTensor tensor, float[] rowScales) {}

  private Optional<CodebookForm> affineForm(Levels.Affine affine, int[] codes) {
    int levels = 1 << affine.bits();
    if (affine.groupSize() == 0) {
      float[] codebook = new float[levels];
      for (int k = 0; k < levels; k++) {
        codebook[k] = affine.value(k, 0);
      }
      return Optional.of(form(codebook, codes, null));
    }
    if (affine.groupsPerRow() != 1) {
      return Optional.empty();
    }
    float[] scales = affine.scales();
    if (affine.zeroPointMode() != Levels.ZeroPoints.PER_GROUP) {
      float[] codebook = new float[levels];
      for (int k = 0; k < levels; k++) {
        codebook[k] = affine.unscaled(k, 0);
      }
      return Optional.of(form(codebook, codes, scales));
    }
    if (2 * levels - 1 > 1 << SparseQuantizedTensor.MAX_INDEX_BITS) {
      return Optional.empty();
    }
    // d = index − Z ranges over −(2^q − 1) … 2^q − 1: code index − Z + 2^q − 1.
    float[] codebook = new float[2 * levels - 1];
    for (int k = 0; k < codebook.length; k++) {
      codebook[k] = k - (levels - 1);
    }
    int[] zeroPoints = affine.zeroPoints();
    int[] shifted = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      shifted[i] = codes[i] - zeroPoints[affine.group(positions[i])] + levels - 1;
    }
    return Optional.of(form(codebook, shifted, scales));
  }

  private CodebookForm form(float[] codebook, int[] codes, float[] rowScales) {
    byte[] bytes = new byte[codes.length];
    for (int i = 0; i < codes.length; i++) {
      bytes[i] = (byte) codes[i];
    }
    int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(codebook.length - 1));
    return new CodebookForm(
        new SparseQuantizedTensor(
            shape,
            codebook,
            positions,
            bytes,
            bits,
            gapBits == DENSE ? SparseQuantizedTensor.MAX_GAP_BITS : gapBits),
        rowScales);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantizedTensor other
        && shape.equals(other.shape)
        && levels.equals(other.levels)
        && indexBits == other.indexBits
        && gapBits == other.gapBits
        && Arrays.equals(positions, other.positions)
        && Arrays.equals(codes, other.codes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shape, levels, indexBits, gapBits, Arrays.hashCode(codes));
  }

  @Override
  public String toString() {
    return "QuantizedTensor["
        + shape
        + ", "
        + positions.length
        + " stored, "
        + levels
        + ", index bits "
        + indexBits
        + (gapBits == DENSE ? ", dense" : ", gap bits " + gapBits)
        + "]";
  }
}
