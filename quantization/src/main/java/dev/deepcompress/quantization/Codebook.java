package dev.deepcompress.quantization;

import java.util.Arrays;

/**
 * One layer's shared weights as a value: a table of at most {@code 2^bits} centroids and, for each
 * weight, its index into the table, or {@link #PRUNED} for a weight that is exactly zero.
 */
public record Codebook(int bits, float[] centroids, int[] indices) {

  /** The index of a pruned weight; it decodes to 0.0. */
  public static final int PRUNED = -1;

  /** Index widths the format can hold. */
  public static final int MAX_BITS = 16;

  public Codebook {
    if (bits < 1 || bits > MAX_BITS) {
      throw new IllegalArgumentException("bits must be in 1.." + MAX_BITS + ", got " + bits);
    }
    if (centroids.length > 1 << bits) {
      throw new IllegalArgumentException(
          centroids.length + " centroids do not fit " + bits + "-bit indices");
    }
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] < PRUNED || indices[i] >= centroids.length) {
        throw new IllegalArgumentException(
            "index "
                + indices[i]
                + " of weight "
                + i
                + " is outside a codebook of "
                + centroids.length);
      }
    }
    centroids = centroids.clone();
    indices = indices.clone();
  }

  @Override
  public float[] centroids() {
    return centroids.clone();
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  /** The dense weight tensor this codebook stands for. */
  public float[] decode() {
    float[] weights = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      weights[i] = indices[i] == PRUNED ? 0f : centroids[indices[i]];
    }
    return weights;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Codebook c
        && bits == c.bits
        && Arrays.equals(centroids, c.centroids)
        && Arrays.equals(indices, c.indices);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * bits + Arrays.hashCode(centroids)) + Arrays.hashCode(indices);
  }

  @Override
  public String toString() {
    return "Codebook["
        + bits
        + " bits, "
        + centroids.length
        + " centroids, "
        + indices.length
        + " weights]";
  }
}
