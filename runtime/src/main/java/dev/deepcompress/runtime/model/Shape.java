package dev.deepcompress.runtime.model;

import java.util.Arrays;

/** An immutable tensor shape (row-major, no batch dimension). */
public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims;
  }

  public static Shape of(int... dims) {
    if (dims.length == 0) {
      throw new IllegalArgumentException("a shape needs at least one dimension");
    }
    long count = 1;
    for (int d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "shape dimensions must be positive: " + Arrays.toString(dims));
      }
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape too large: " + Arrays.toString(dims));
      }
    }
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  public int elementCount() {
    int count = 1;
    for (int d : dims) {
      count *= d;
    }
    return count;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return describe(dims);
  }

  /** Dimensions as {@link #toString()} writes them, also for ones that are not a valid shape. */
  static String describe(int... dims) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append('×');
      }
      sb.append(dims[i]);
    }
    return sb.toString();
  }
}
