package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.quantization.KMeans1D.Init;
import dev.deepcompress.quantization.KMeans1D.Result;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeans1DTest {

  @Test
  void linearInitSpacesCentroidsEvenlyFromMinToMax() {
    float[] values = {3, 0, 8, 1, 5, 2, 7, 4, 6};
    assertArrayEquals(
        new float[] {0, 2, 4, 6, 8}, KMeans1D.initialCentroids(values, 5, Init.LINEAR, 0));
    assertArrayEquals(
        new float[] {-1, 0.5f, 2},
        KMeans1D.initialCentroids(new float[] {2, -1, 0, 1}, 3, Init.LINEAR, 0));
    assertArrayEquals(new float[] {4}, KMeans1D.initialCentroids(values, 1, Init.LINEAR, 0));
  }

  @Test
  void densityInitTakesTheMidQuantileOfEachEqualShare() {
    float[] values = {70, 0, 60, 10, 50, 20, 40, 30};
    assertArrayEquals(
        new float[] {10, 30, 50, 70}, KMeans1D.initialCentroids(values, 4, Init.DENSITY, 0));
  }

  @Test
  void lloydOnTwoObviousGroups() {
    float[] values = {11, 0, 12, 1, 10, 2};
    Result result = KMeans1D.fit(values, 2);
    assertArrayEquals(new float[] {1, 11}, result.centroids());
    assertArrayEquals(new int[] {1, 0, 1, 0, 1, 0}, result.assignments());
    assertEquals(4.0, result.distortion());
    assertEquals(1, result.iterations());
    assertTrue(result.converged());
  }

  @Test
  void everyInitGivesKSortedCentroidsWithinTheRangeDeterministically() {
    SplittableRandom random = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      Samples shape = Samples.values()[trial % Samples.values().length];
      float[] values = shape.sample(20 + random.nextInt(2000), random.nextLong());
      int k = 1 + random.nextInt(17);
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      Set<Float> data = new HashSet<>();
      for (float v : values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        data.add(v);
      }
      long seed = random.nextLong();
      for (Init init : Init.values()) {
        float[] c = KMeans1D.initialCentroids(values, k, init, seed);
        String where = init + ", trial " + trial;
        assertEquals(k, c.length, where);
        for (int j = 0; j < k; j++) {
          assertTrue(c[j] >= min && c[j] <= max, where);
          assertTrue(j == 0 || c[j - 1] <= c[j], where + ": ascending");
        }
        assertArrayEquals(c, KMeans1D.initialCentroids(values, k, init, seed), where);
        if (init == Init.RANDOM || init == Init.KMEANS_PLUS_PLUS) {
          for (int j = 0; j < k; j++) {
            assertTrue(data.contains(c[j]), where + ": a data point");
            assertTrue(j == 0 || c[j - 1] < c[j], where + ": distinct");
          }
        }
      }
    }
  }

  @Test
  void randomInitsDependOnTheSeed() {
    float[] values = Samples.GAUSSIAN.sample(1000, 5);
    for (Init init : new Init[] {Init.RANDOM, Init.KMEANS_PLUS_PLUS}) {
      Set<String> seen = new HashSet<>();
      for (long seed = 0; seed < 5; seed++) {
        seen.add(Arrays.toString(KMeans1D.initialCentroids(values, 8, init, seed)));
      }
      assertEquals(5, seen.size(), init.toString());
    }
  }

  @Test
  void kMeansPlusPlusFavoursFarPoints() {
    // One outlier far from 999 equal-ish points: D² weighting picks it as the second seed almost
    // surely, uniform Forgy draws almost never would.
    float[] values = new float[1000];
    for (int i = 0; i < 999; i++) {
      values[i] = i * 1e-4f;
    }
    values[999] = 1000;
    int outliers = 0;
    for (long seed = 0; seed < 50; seed++) {
      float[] c = KMeans1D.initialCentroids(values, 2, Init.KMEANS_PLUS_PLUS, seed);
      outliers += c[1] == 1000 ? 1 : 0;
    }
    assertEquals(50, outliers);
  }

  @Test
  void fewerDistinctValuesThanClustersGiveEachValueItsOwnCentroid() {
    float[] values = {2, -0.0f, 2, 0.0f, 5, 2};
    Result result = KMeans1D.fit(values, 8);
    assertArrayEquals(new float[] {0, 2, 5}, result.centroids());
    assertArrayEquals(new int[] {1, 0, 1, 0, 2, 1}, result.assignments());
    assertEquals(0.0, result.distortion());
    assertEquals(0, result.iterations());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KMeans1D.initialCentroids(values, 4, Init.RANDOM, 0));
    assertTrue(e.getMessage().contains("3 distinct"), e.getMessage());
  }

  @Test
  void badArgumentsAreRejectedWithTheReason() {
    float[] values = {1, 2, Float.NaN, 3};
    IllegalArgumentException nan =
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.fit(values, 2));
    assertEquals("value 2 is NaN", nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KMeans1D.fit(new float[0], 2));
    assertThrows(IllegalArgumentException.class, () -> KMeans1D.fit(new float[] {1}, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> KMeans1D.fit(new float[] {1, 2, 3}, 2, Init.LINEAR, 0, -1));
  }

  @Test
  void aConvergedResultIsAFixedPointOfLloyd() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 120; trial++) {
      Samples shape = Samples.values()[trial % Samples.values().length];
      float[] values = shape.sample(10 + random.nextInt(trial < 100 ? 500 : 50_000), trial);
      int k = 1 + random.nextInt(40);
      Init init = Init.values()[random.nextInt(Init.values().length)];
      Result result = KMeans1D.fit(values, k, init, trial, KMeans1D.DEFAULT_MAX_ITERATIONS);
      String where = shape + " " + init + " n " + values.length + " k " + k;
      assertTrue(result.converged(), where);
      float[] c = result.centroids();
      int[] a = result.assignments();
      assertEquals(Math.min(k, distinctCount(values)), c.length, where);
      for (int j = 1; j < c.length; j++) {
        assertTrue(c[j - 1] < c[j], where + ": strictly ascending");
      }
      double[] sums = new double[c.length];
      int[] counts = new int[c.length];
      double distortion = 0;
      for (int i = 0; i < values.length; i++) {
        double own = Math.abs((double) values[i] - c[a[i]]);
        for (float other : c) {
          assertTrue(own <= Math.abs((double) values[i] - other), where + ": value " + i);
        }
        sums[a[i]] += values[i];
        counts[a[i]]++;
        distortion += own * own;
      }
      for (int j = 0; j < c.length; j++) {
        assertTrue(counts[j] > 0, where + ": cluster " + j + " empty");
        float mean = (float) (sums[j] / counts[j]);
        assertTrue(Math.abs(mean - c[j]) <= Math.ulp(mean), where + ": cluster " + j + " mean");
      }
      assertEquals(distortion, result.distortion(), 1e-9 * distortion, where);
    }
  }

  @Test
  void distortionNeverGrowsFromOneIterationToTheNext() {
    for (Samples shape : Samples.values()) {
      for (Init init : Init.values()) {
        float[] values = shape.sample(5000, 17);
        double previous = Double.POSITIVE_INFINITY;
        int convergedAfter = -1;
        for (int max = 0; max <= 60; max++) {
          Result result = KMeans1D.fit(values, 24, init, 4, max);
          double distortion = measuredDistortion(values, result);
          String where = shape + " " + init + " iteration " + max;
          assertTrue(distortion <= previous * (1 + 1e-12), where);
          if (!result.converged()) {
            assertEquals(max, result.iterations(), where);
          } else if (convergedAfter < 0) {
            convergedAfter = result.iterations();
          } else {
            assertEquals(convergedAfter, result.iterations(), where);
          }
          previous = distortion;
        }
        assertTrue(previous < measuredDistortion(values, KMeans1D.fit(values, 24, init, 4, 0)));
      }
    }
  }

  @Test
  void neverBelowTheExactOptimum() {
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 400; trial++) {
      Samples shape = Samples.values()[trial % Samples.values().length];
      float[] values = shape.sample(8 + random.nextInt(53), random.nextLong());
      int k = 1 + random.nextInt(8);
      double optimum = optimalDistortion(values, k);
      for (Init init : Init.values()) {
        Result result = KMeans1D.fit(values, k, init, trial, KMeans1D.DEFAULT_MAX_ITERATIONS);
        assertTrue(
            result.distortion() >= optimum * (1 - 1e-9), init + " trial " + trial + " below");
      }
      if (k == 1) {
        assertEquals(optimum, KMeans1D.fit(values, 1).distortion(), 1e-9 * optimum);
      }
    }
  }

  /**
   * Lloyd is a local search and often stops well above the optimum on small samples; on evenly
   * spaced groups the linear seeds start next to the optimal centroids and must find them.
   */
  @Test
  void linearInitFindsTheExactOptimumOnEvenlySpacedGroups() {
    SplittableRandom random = new SplittableRandom(9);
    for (int trial = 0; trial < 300; trial++) {
      int k = 2 + random.nextInt(7);
      float[] values = new float[0];
      for (int g = 0; g < k; g++) {
        double center = 10 * g + random.nextDouble(-1, 1);
        int size = 1 + random.nextInt(8);
        float[] group = new float[size];
        for (int i = 0; i < size; i++) {
          group[i] = (float) (center + random.nextDouble(-1, 1));
        }
        values = concat(values, group);
      }
      shuffle(values, random);
      double optimum = optimalDistortion(values, k);
      double ours = KMeans1D.fit(values, k).distortion();
      assertTrue(ours <= optimum * 1.01 + 1e-12, "trial " + trial + ": " + ours + " vs " + optimum);
    }
  }

  @Test
  void theSameArgumentsGiveTheSameResult() {
    float[] values = Samples.PRUNED_LAPLACE.sample(20_000, 8);
    for (Init init : Init.values()) {
      Result a = KMeans1D.fit(values, 32, init, 77, 500);
      Result b = KMeans1D.fit(values, 32, init, 77, 500);
      assertArrayEquals(a.centroids(), b.centroids());
      assertArrayEquals(a.assignments(), b.assignments());
      assertEquals(a.distortion(), b.distortion());
      assertFalse(Arrays.equals(a.centroids(), KMeans1D.initialCentroids(values, 32, init, 77)));
    }
  }

  /** Exact 1-D k-means (at most k clusters) by dynamic programming over the sorted values. */
  static double optimalDistortion(float[] values, int k) {
    double[] x = new double[values.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = values[i];
    }
    Arrays.sort(x);
    int n = x.length;
    // cost[i][j]: squared error of x[i..j) around its mean, accumulated directly.
    double[][] cost = new double[n + 1][n + 1];
    for (int i = 0; i < n; i++) {
      double mean = 0;
      double m2 = 0;
      for (int j = i; j < n; j++) {
        // Welford's update keeps small clusters of large values accurate.
        int count = j - i + 1;
        double delta = x[j] - mean;
        mean += delta / count;
        m2 += delta * (x[j] - mean);
        cost[i][j + 1] = m2;
      }
    }
    double[] best = new double[n + 1];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    best[0] = 0;
    for (int m = 1; m <= k; m++) {
      double[] next = new double[n + 1];
      Arrays.fill(next, Double.POSITIVE_INFINITY);
      next[0] = 0;
      for (int j = 1; j <= n; j++) {
        for (int i = 0; i < j; i++) {
          next[j] = Math.min(next[j], best[i] + cost[i][j]);
        }
      }
      best = next;
    }
    return best[n];
  }

  private static double measuredDistortion(float[] values, Result result) {
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      double d = (double) values[i] - result.centroids()[result.assignments()[i]];
      sum += d * d;
    }
    return sum;
  }

  private static int distinctCount(float[] values) {
    Set<Float> set = new HashSet<>();
    for (float v : values) {
      set.add(v + 0.0f);
    }
    return set.size();
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void shuffle(float[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      float t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
