package dev.deepcompress.quantization;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Lloyd's k-means on scalars. In one dimension every cluster of a Lloyd step is a contiguous run of
 * the sorted values, cut at the midpoints between adjacent centroids. So the values are sorted
 * once, the cuts are found by binary search and the cluster means come from prefix sums: one
 * iteration costs O(k log n) instead of O(k n), and running Lloyd to convergence is cheap.
 *
 * <p>Centroids are kept as floats throughout (the mean of a cluster rounded to the nearest float,
 * which is also the best float centroid for it), so a converged result is exactly consistent: every
 * value sits with its nearest returned centroid and every returned centroid is its members' mean
 * rounded to float.
 *
 * <p>An empty cluster (its centroid lies in a gap of the data) is re-seeded deterministically at
 * the value with the largest squared error, one empty cluster per iteration, so no codebook entry
 * is wasted at convergence.
 */
public final class KMeans1D {

  /**
   * Lloyd converges slowly with many clusters (over a thousand iterations for k = 64 on 10⁵
   * Gaussian values), and here an iteration is cheap.
   */
  public static final int DEFAULT_MAX_ITERATIONS = 10_000;

  /** How the first centroids are chosen (Han et al. 2016, section 3.2). */
  public enum Init {
    /**
     * {@code k} centroids evenly spaced from the smallest to the largest value; the paper's best.
     */
    LINEAR,
    /** Evenly spaced on the empirical CDF: centroid {@code i} is the {@code (i + ½)/k} quantile. */
    DENSITY,
    /** Forgy: {@code k} data points with distinct values, drawn uniformly at random. */
    RANDOM,
    /** Arthur and Vassilvitskii's k-means++ seeding: each next point drawn ∝ squared distance. */
    KMEANS_PLUS_PLUS
  }

  /**
   * @param centroids ascending; {@code min(k, distinct values)} of them
   * @param assignments for each input value, in input order, the index of its centroid
   * @param iterations Lloyd iterations run (0 when the input has no more than {@code k} distinct
   *     values: each distinct value is then its own centroid)
   * @param converged whether the last iteration left the assignments unchanged
   * @param distortion sum of squared differences between the values and their centroids
   */
  public record Result(
      float[] centroids, int[] assignments, int iterations, boolean converged, double distortion) {}

  private KMeans1D() {}

  /** Linear initialisation, seed 0, at most {@link #DEFAULT_MAX_ITERATIONS} iterations. */
  public static Result fit(float[] values, int k) {
    return fit(values, k, Init.LINEAR, 0, DEFAULT_MAX_ITERATIONS);
  }

  /**
   * Clusters {@code values} into {@code k} clusters. The same arguments always give the same
   * result; {@code seed} matters only for the random initialisations.
   */
  public static Result fit(float[] values, int k, Init init, long seed, int maxIterations) {
    if (maxIterations < 0) {
      throw new IllegalArgumentException("maxIterations must be ≥ 0, got " + maxIterations);
    }
    float[] sorted = sortedCopy(values, k);
    int distinct = countDistinct(sorted);
    if (distinct <= k) {
      double[] centroids = distinctValues(sorted, distinct);
      return result(values, centroids, 0, true);
    }
    double[] centroids = seeds(sorted, k, init, seed);
    Lloyd lloyd = new Lloyd(sorted);
    int[] ends = lloyd.cuts(centroids);
    int iterations = 0;
    boolean converged = false;
    while (iterations < maxIterations) {
      lloyd.moveCentroids(centroids, ends);
      iterations++;
      int[] next = lloyd.cuts(centroids);
      if (Arrays.equals(next, ends)) {
        converged = true;
        break;
      }
      ends = next;
    }
    return result(values, centroids, iterations, converged);
  }

  /**
   * The starting centroids {@link #fit} uses for this initialisation, ascending.
   *
   * @throws IllegalArgumentException if {@code values} holds fewer than {@code k} distinct numbers
   */
  public static float[] initialCentroids(float[] values, int k, Init init, long seed) {
    float[] sorted = sortedCopy(values, k);
    int distinct = countDistinct(sorted);
    if (distinct < k) {
      throw new IllegalArgumentException(
          "cannot seed " + k + " centroids from " + distinct + " distinct values");
    }
    return toFloats(seeds(sorted, k, init, seed));
  }

  private static float[] sortedCopy(float[] values, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be ≥ 1, got " + k);
    }
    if (values.length == 0) {
      throw new IllegalArgumentException("no values to cluster");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException("value " + i + " is " + values[i]);
      }
    }
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted;
  }

  // Numeric comparison: -0.0 and 0.0 count as one value.
  private static int countDistinct(float[] sorted) {
    int distinct = 1;
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] != sorted[i - 1]) {
        distinct++;
      }
    }
    return distinct;
  }

  private static double[] distinctValues(float[] sorted, int distinct) {
    double[] out = new double[distinct];
    int j = 0;
    out[j++] = sorted[0] + 0.0; // not -0.0
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] != sorted[i - 1]) {
        out[j++] = sorted[i];
      }
    }
    return out;
  }

  /** Initial centroids from sorted values holding at least {@code k} distinct numbers. */
  private static double[] seeds(float[] sorted, int k, Init init, long seed) {
    int n = sorted.length;
    double[] c = new double[k];
    switch (init) {
      case LINEAR -> {
        double min = sorted[0];
        double max = sorted[n - 1];
        for (int i = 0; i < k; i++) {
          c[i] = k == 1 ? (float) ((min + max) / 2) : (float) (min + (max - min) * i / (k - 1));
        }
      }
      case DENSITY -> {
        for (int i = 0; i < k; i++) {
          c[i] = sorted[(int) ((i + 0.5) * n / k)];
        }
      }
      case RANDOM -> {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Float> chosen = new HashSet<>();
        int i = 0;
        while (i < k) {
          // Adding 0.0f folds -0.0 into 0.0, so equal numbers are one value.
          float v = sorted[random.nextInt(n)] + 0.0f;
          if (chosen.add(v)) {
            c[i++] = v;
          }
        }
      }
      case KMEANS_PLUS_PLUS -> kMeansPlusPlus(sorted, c, new SplittableRandom(seed));
    }
    Arrays.sort(c);
    return c;
  }

  private static void kMeansPlusPlus(float[] sorted, double[] c, SplittableRandom random) {
    int n = sorted.length;
    c[0] = sorted[random.nextInt(n)];
    double[] d2 = new double[n];
    Arrays.fill(d2, Double.POSITIVE_INFINITY);
    for (int j = 1; j < c.length; j++) {
      double total = 0;
      int lastPositive = -1;
      for (int i = 0; i < n; i++) {
        double d = sorted[i] - c[j - 1];
        d2[i] = Math.min(d2[i], d * d);
        total += d2[i];
        if (d2[i] > 0) {
          lastPositive = i;
        }
      }
      // Points already chosen have weight 0; rounding at the end of the walk must not pick one.
      double target = random.nextDouble() * total;
      int pick = lastPositive;
      double cumulative = 0;
      for (int i = 0; i < n; i++) {
        cumulative += d2[i];
        if (d2[i] > 0 && cumulative > target) {
          pick = i;
          break;
        }
      }
      c[j] = sorted[pick];
    }
  }

  /** The sorted data, its prefix sums and the per-iteration steps of Lloyd's algorithm. */
  private static final class Lloyd {
    private final float[] sorted;
    private final double[] prefixSum;

    Lloyd(float[] sorted) {
      this.sorted = sorted;
      prefixSum = new double[sorted.length + 1];
      for (int i = 0; i < sorted.length; i++) {
        prefixSum[i + 1] = prefixSum[i] + sorted[i];
      }
    }

    /** Cluster {@code j} is {@code sorted[ends[j-1] .. ends[j])} for these centroids. */
    int[] cuts(double[] centroids) {
      int k = centroids.length;
      int[] ends = new int[k];
      int from = 0;
      for (int j = 0; j < k - 1; j++) {
        from = upperBound(sorted, from, midpoint(centroids, j), sorted.length);
        ends[j] = from;
      }
      ends[k - 1] = sorted.length;
      return ends;
    }

    /** Each centroid to its cluster's mean; then at most one empty cluster is re-seeded. */
    void moveCentroids(double[] centroids, int[] ends) {
      int empty = -1;
      for (int j = 0, start = 0; j < centroids.length; start = ends[j], j++) {
        int count = ends[j] - start;
        if (count > 0) {
          centroids[j] = (float) ((prefixSum[ends[j]] - prefixSum[start]) / count);
        } else if (empty < 0) {
          empty = j;
        }
      }
      if (empty >= 0) {
        centroids[empty] = worstFitValue(centroids, ends);
        Arrays.sort(centroids);
      }
    }

    /** The value farthest from its centroid: in 1-D it is the first or last of some cluster. */
    private double worstFitValue(double[] centroids, int[] ends) {
      int worst = 0;
      double worstDistance = -1;
      for (int j = 0, start = 0; j < centroids.length; start = ends[j], j++) {
        if (ends[j] > start) {
          int i =
              centroids[j] - sorted[start] >= sorted[ends[j] - 1] - centroids[j]
                  ? start
                  : ends[j] - 1;
          double d = Math.abs(sorted[i] - centroids[j]);
          if (d > worstDistance) {
            worstDistance = d;
            worst = i;
          }
        }
      }
      return sorted[worst];
    }
  }

  /** Values above the midpoint go to the upper centroid; a tie goes to the lower one. */
  private static double midpoint(double[] centroids, int j) {
    return (centroids[j] + centroids[j + 1]) / 2;
  }

  /** First index in {@code [from, to)} whose value is greater than {@code key}, else {@code to}. */
  private static int upperBound(float[] sorted, int from, double key, int to) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] > key) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Assigns the values in input order by binary search over the cuts and measures distortion. */
  private static Result result(
      float[] values, double[] centroids, int iterations, boolean converged) {
    int k = centroids.length;
    double[] cuts = new double[k - 1];
    for (int j = 0; j < k - 1; j++) {
      cuts[j] = midpoint(centroids, j);
    }
    int[] assignments = new int[values.length];
    double distortion = 0;
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      int lo = 0;
      int hi = k - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (v > cuts[mid]) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      assignments[i] = lo;
      double d = v - centroids[lo];
      distortion += d * d;
    }
    return new Result(toFloats(centroids), assignments, iterations, converged, distortion);
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
