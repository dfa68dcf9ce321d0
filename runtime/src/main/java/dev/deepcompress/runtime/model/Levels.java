package dev.deepcompress.runtime.model;

import java.util.Arrays;

/**
 * What the index of a stored element of a {@link QuantizedTensor} stands for: a table of values, a
 * uniform affine grid {@code S (index − Z)} with a scale per group of elements, or signed powers of
 * two. The formulas here are the file format's (docs/model-format.md §5.4): the quantizers that
 * make these levels and the reader that decodes them both compute a value through {@link #value},
 * so a model decodes to exactly the weights it was trained with.
 */
public sealed interface Levels {

  /**
   * The value of {@code index} for the element at flat row-major position {@code position} (which
   * selects the group of grouped levels).
   */
  float value(int index, int position);

  /** Whether {@code index} names a level. */
  boolean isLevel(int index);

  /**
   * Throws unless these levels fit {@code indexBits}-bit indices and a tensor of {@code shape}.
   *
   * @throws IllegalArgumentException saying what does not fit
   */
  void requireFits(Shape shape, int indexBits);

  /** A table of at most {@code 2^indexBits} finite values; an index is a table position. */
  record Table(float[] entries) implements Levels {
    public Table {
      entries = entries.clone();
      for (int k = 0; k < entries.length; k++) {
        if (!Float.isFinite(entries[k])) {
          throw new IllegalArgumentException("table entry " + k + " is " + entries[k]);
        }
      }
    }

    @Override
    public float[] entries() {
      return entries.clone();
    }

    @Override
    public float value(int index, int position) {
      return entries[index];
    }

    @Override
    public boolean isLevel(int index) {
      return index >= 0 && index < entries.length;
    }

    @Override
    public void requireFits(Shape shape, int indexBits) {
      if (entries.length > 1 << indexBits) {
        throw new IllegalArgumentException(
            "a table of " + entries.length + " entries does not fit " + indexBits + "-bit indices");
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Table t && Arrays.equals(entries, t.entries);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
      return "Table" + Arrays.toString(entries);
    }
  }

  /** Where an affine grid's zero point comes from. */
  enum ZeroPoints {
    /** One zero point per group, each an integer in {@code [0, 2^bits − 1]}. */
    PER_GROUP(0),
    /** One zero point for every group. */
    SHARED(1),
    /**
     * None: {@code Z = (2^bits − 1) / 2}, so the levels are symmetric about 0 and 0 is not one of
     * them (a one-bit grid is {@code ±S/2}: binary weights).
     */
    MIDRISE(2);

    private final int id;

    ZeroPoints(int id) {
      this.id = id;
    }

    /** The id the file stores. */
    public int id() {
      return id;
    }

    /** The mode with this id, or null. */
    public static ZeroPoints byId(int id) {
      for (ZeroPoints mode : values()) {
        if (mode.id == id) {
          return mode;
        }
      }
      return null;
    }
  }

  /**
   * Uniform affine levels: the value of {@code index} in group {@code g} is {@code scales[g] × d},
   * computed in binary32 with one rounding, where {@code d = index − Z} (an integer) or, for {@link
   * ZeroPoints#MIDRISE}, {@code d = index − (2^bits − 1)/2} (a multiple of ½); both are exact in
   * binary32.
   *
   * <p>The tensor is seen as {@code rows = shape[0]} rows of {@code rowLength = N / rows} elements
   * (an output channel's weights). With {@code groupSize = 0} the whole tensor is one group;
   * otherwise each row is cut into {@code ⌈rowLength / groupSize⌉} groups of {@code groupSize}
   * consecutive elements (the last one shorter if it does not divide), numbered row by row. A group
   * size equal to the row length gives one scale per output channel.
   *
   * @param zeroPoints one per group ({@link ZeroPoints#PER_GROUP}), one ({@code SHARED}) or none
   *     ({@code MIDRISE})
   */
  record Affine(
      int bits,
      int rowLength,
      int groupSize,
      float[] scales,
      ZeroPoints zeroPointMode,
      int[] zeroPoints)
      implements Levels {

    public Affine {
      scales = scales.clone();
      zeroPoints = zeroPoints.clone();
      if (bits < 1 || bits > SparseQuantizedTensor.MAX_INDEX_BITS) {
        throw new IllegalArgumentException("affine levels need 1-8 bits, got " + bits);
      }
      if (rowLength < 1 || groupSize < 0 || groupSize > rowLength) {
        throw new IllegalArgumentException(
            "group size " + groupSize + " is outside 0.." + rowLength + " (the row length)");
      }
      for (int g = 0; g < scales.length; g++) {
        if (!Float.isFinite(scales[g])) {
          throw new IllegalArgumentException("scale " + g + " is " + scales[g]);
        }
      }
      int expected =
          switch (zeroPointMode) {
            case PER_GROUP -> scales.length;
            case SHARED -> 1;
            case MIDRISE -> 0;
          };
      if (zeroPoints.length != expected) {
        throw new IllegalArgumentException(
            zeroPoints.length + " zero points where " + zeroPointMode + " needs " + expected);
      }
      for (int z : zeroPoints) {
        if (z < 0 || z >= 1 << bits) {
          throw new IllegalArgumentException(
              "zero point " + z + " is outside 0.." + ((1 << bits) - 1));
        }
      }
    }

    /** Groups per row, or 0 when the whole tensor is one group. */
    public int groupsPerRow() {
      return groupSize == 0 ? 0 : Math.ceilDiv(rowLength, groupSize);
    }

    /** Number of groups a tensor of {@code rows} rows has with this grouping. */
    public static long groupCount(int rows, int rowLength, int groupSize) {
      return groupSize == 0 ? 1 : (long) rows * Math.ceilDiv(rowLength, groupSize);
    }

    /** The group of the element at {@code position}. */
    public int group(int position) {
      return group(position, rowLength, groupSize);
    }

    /** The group of the element at {@code position} with this grouping. */
    public static int group(int position, int rowLength, int groupSize) {
      if (groupSize == 0) {
        return 0;
      }
      return position / rowLength * Math.ceilDiv(rowLength, groupSize)
          + position % rowLength / groupSize;
    }

    /** The zero point of group {@code g}, as the exact offset {@code d} is computed from. */
    private float offset(int index, int g) {
      return switch (zeroPointMode) {
        case PER_GROUP -> index - zeroPoints[g];
        case SHARED -> index - zeroPoints[0];
        case MIDRISE -> (2 * index - ((1 << bits) - 1)) * 0.5f;
      };
    }

    @Override
    public float value(int index, int position) {
      int g = group(position);
      return scales[g] * offset(index, g);
    }

    /**
     * {@code d} of the levels, {@code value / scale}, for group {@code g}: the factor the runtime's
     * kernel multiplies before it applies a row's scale.
     */
    public float unscaled(int index, int g) {
      return offset(index, g);
    }

    @Override
    public boolean isLevel(int index) {
      return index >= 0 && index < 1 << bits;
    }

    @Override
    public void requireFits(Shape shape, int indexBits) {
      if (indexBits != bits) {
        throw new IllegalArgumentException(
            "affine levels of " + bits + " bits in a tensor of " + indexBits + "-bit indices");
      }
      int rows = shape.dim(0);
      if ((long) rows * rowLength != shape.elementCount()) {
        throw new IllegalArgumentException(
            "row length " + rowLength + " does not divide shape " + shape + " into " + rows);
      }
      long groups = groupCount(rows, rowLength, groupSize);
      if (scales.length != groups) {
        throw new IllegalArgumentException(
            scales.length + " scales for " + groups + " groups of shape " + shape);
      }
    }

    @Override
    public float[] scales() {
      return scales.clone();
    }

    @Override
    public int[] zeroPoints() {
      return zeroPoints.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Affine a
          && bits == a.bits
          && rowLength == a.rowLength
          && groupSize == a.groupSize
          && zeroPointMode == a.zeroPointMode
          && Arrays.equals(scales, a.scales)
          && Arrays.equals(zeroPoints, a.zeroPoints);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints) + groupSize;
    }

    @Override
    public String toString() {
      return "Affine["
          + bits
          + " bits, "
          + scales.length
          + " groups of "
          + (groupSize == 0 ? "the whole tensor" : groupSize)
          + ", zero points "
          + zeroPointMode
          + "]";
    }
  }

  /**
   * Logarithmic levels: index 0 is 0; index {@code 2j + 1} is {@code +2^((top − j)/d)} and index
   * {@code 2j + 2} is {@code −2^((top − j)/d)}, for {@code j = 0 … 2^(bits−1) − 2}, where {@code d}
   * is 1 (base 2) or 2 (base √2). The magnitude is computed exactly as {@code 2^k} or {@code √2 ×
   * 2^k} with {@code √2} rounded to binary32 (0x3FB504F3), a power-of-two scaling that rounds only
   * where the result is subnormal. The last index, {@code 2^bits − 1}, is not a level.
   *
   * @param top exponent of the largest magnitude, in units of {@code 1/d}; −128..127
   */
  record PowersOfTwo(int bits, int top, boolean sqrt2) implements Levels {
    private static final float SQRT2 = (float) Math.sqrt(2);

    public PowersOfTwo {
      if (bits < 2 || bits > SparseQuantizedTensor.MAX_INDEX_BITS) {
        throw new IllegalArgumentException("powers-of-two levels need 2-8 bits, got " + bits);
      }
      if (top < Byte.MIN_VALUE || top > Byte.MAX_VALUE) {
        throw new IllegalArgumentException("top exponent " + top + " is outside -128..127");
      }
    }

    /** Magnitudes per sign: {@code 2^(bits−1) − 1}. */
    public int magnitudes() {
      return (1 << (bits - 1)) - 1;
    }

    /** The {@code j}-th magnitude, {@code j = 0} the largest. */
    public float magnitude(int j) {
      int e = top - j;
      if (!sqrt2) {
        return Math.scalb(1f, e);
      }
      int half = Math.floorDiv(e, 2);
      return Math.floorMod(e, 2) == 0 ? Math.scalb(1f, half) : Math.scalb(SQRT2, half);
    }

    @Override
    public float value(int index, int position) {
      if (index == 0) {
        return 0f;
      }
      float m = magnitude((index - 1) / 2);
      return (index & 1) == 1 ? m : -m;
    }

    @Override
    public boolean isLevel(int index) {
      return index >= 0 && index <= 2 * magnitudes();
    }

    @Override
    public void requireFits(Shape shape, int indexBits) {
      if (indexBits != bits) {
        throw new IllegalArgumentException(
            "powers-of-two levels of "
                + bits
                + " bits in a tensor of "
                + indexBits
                + "-bit indices");
      }
    }
  }
}
