package dev.deepcompress.compression;

import java.util.Arrays;

/**
 * Weight sharing's quantization (k-means, Han et al. 2016): a table of at most {@code 2^bits}
 * centroids and, for each kept weight, its index into the table. The table is stored as it is:
 * entries need not be sorted, distinct or non-zero, and an entry no weight uses stays. Immutable:
 * arrays are copied in and out.
 */
public record Codebook(int bits, float[] centroids, int[] indices) implements Quantized {

  public Codebook {
    Quantized.requireBits(bits);
    if (centroids.length > 1 << bits) {
      throw new IllegalArgumentException(
          centroids.length + " centroids do not fit " + bits + "-bit indices");
    }
    centroids = centroids.clone();
    indices = indices.clone();
    for (int k = 0; k < centroids.length; k++) {
      if (!Float.isFinite(centroids[k])) {
        throw new IllegalArgumentException("centroid " + k + " is " + centroids[k]);
      }
    }
    for (int j = 0; j < indices.length; j++) {
      if (indices[j] < 0 || indices[j] >= centroids.length) {
        throw new IllegalArgumentException(
            "index "
                + indices[j]
                + " of kept weight "
                + j
                + " is outside a codebook of "
                + centroids.length);
      }
    }
  }

  @Override
  public float[] centroids() {
    return centroids.clone();
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public int count() {
    return indices.length;
  }

  @Override
  public float value(int index, int position) {
    return centroids[index];
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
        + " kept weights]";
  }
}
