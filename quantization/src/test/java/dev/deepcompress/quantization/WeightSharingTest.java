package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightSharingTest {

  /** Laplace-like weights with about {@code zeroShare} of them pruned to exactly zero. */
  private static float[] prunedWeights(int n, double zeroShare, long seed) {
    float[] w = Samples.LAPLACE.sample(n, seed);
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < zeroShare) {
        w[i] = random.nextBoolean() ? 0f : -0f;
      }
    }
    return w;
  }

  @Test
  void clustersOnlyTheNonZeroWeights() {
    float[] w = prunedWeights(3000, 0.7, 1);
    WeightSharing sharing = WeightSharing.cluster(w, 2, KMeans1D.Init.LINEAR, 0);
    int[] a = sharing.assignments();
    assertEquals(4, sharing.centroids().length);
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i] == 0f, a[i] == Codebook.PRUNED, "weight " + i);
    }
    float[] quantized = w.clone();
    sharing.quantize(quantized);
    assertArrayEquals(quantized, sharing.codebook().decode());
    Set<Float> distinct = new HashSet<>();
    for (int i = 0; i < w.length; i++) {
      if (w[i] == 0f) {
        assertEquals(0, Float.floatToRawIntBits(quantized[i]), "pruned stays +0.0 at " + i);
      } else {
        distinct.add(quantized[i]);
        assertEquals(sharing.centroids()[a[i]], quantized[i]);
      }
    }
    assertEquals(4, distinct.size());
    assertTrue(!distinct.contains(0f));
  }

  @Test
  void theClusteringIsTheOneOfTheNonZeroValuesAlone() {
    float[] w = prunedWeights(2000, 0.5, 2);
    float[] kept = new float[2000];
    int n = 0;
    for (float v : w) {
      if (v != 0f) {
        kept[n++] = v;
      }
    }
    KMeans1D.Result direct =
        KMeans1D.fit(
            java.util.Arrays.copyOf(kept, n),
            8,
            KMeans1D.Init.DENSITY,
            3,
            KMeans1D.DEFAULT_MAX_ITERATIONS);
    WeightSharing sharing = WeightSharing.cluster(w, 3, KMeans1D.Init.DENSITY, 3);
    assertArrayEquals(direct.centroids(), sharing.centroids());
    int[] a = sharing.assignments();
    for (int i = 0, j = 0; i < w.length; i++) {
      if (w[i] != 0f) {
        assertEquals(direct.assignments()[j++], a[i]);
      }
    }
  }

  @Test
  void gradientOfEachWeightIsTheSumOverItsCluster() {
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 20; trial++) {
      float[] w = prunedWeights(400 + random.nextInt(400), 0.6, trial);
      WeightSharing sharing =
          WeightSharing.cluster(w, 1 + random.nextInt(4), KMeans1D.Init.LINEAR, trial);
      int[] a = sharing.assignments();
      float[] g = new float[w.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) random.nextGaussian();
      }
      float[] constrained = g.clone();
      sharing.constrainGradient(constrained);
      for (int i = 0; i < w.length; i++) {
        if (a[i] == Codebook.PRUNED) {
          assertEquals(0f, constrained[i], "pruned gradient " + i);
          continue;
        }
        // Naively: every weight that shares this one's centroid value.
        double sum = 0;
        float shared = sharing.centroids()[a[i]];
        for (int j = 0; j < w.length; j++) {
          if (a[j] != Codebook.PRUNED && sharing.centroids()[a[j]] == shared) {
            sum += g[j];
          }
        }
        assertEquals(sum, constrained[i], 1e-5 * (1 + Math.abs(sum)), "trial " + trial + " " + i);
      }
    }
  }

  @Test
  void valuesAndMomentumAreReTiedToTheirClusterMeans() {
    float[] w = prunedWeights(1000, 0.5, 5);
    WeightSharing sharing = WeightSharing.cluster(w, 3, KMeans1D.Init.LINEAR, 0);
    int[] a = sharing.assignments();
    float[] values = w.clone();
    sharing.quantize(values);
    float[] momentum = new float[w.length];
    SplittableRandom random = new SplittableRandom(6);
    double[] valueSums = new double[8];
    double[] momentumSums = new double[8];
    int[] counts = new int[8];
    for (int i = 0; i < w.length; i++) {
      // Drift that a rounding-free optimizer would never produce, and junk on pruned entries.
      values[i] += (float) (1e-3 * random.nextGaussian());
      momentum[i] = (float) random.nextGaussian();
      if (a[i] != Codebook.PRUNED) {
        valueSums[a[i]] += values[i];
        momentumSums[a[i]] += momentum[i];
        counts[a[i]]++;
      }
    }
    sharing.constrainValues(values);
    sharing.constrainMomentum(momentum);
    float[] centroids = sharing.centroids();
    for (int k = 0; k < 8; k++) {
      assertEquals(valueSums[k] / counts[k], centroids[k], 1e-6, "centroid " + k);
    }
    for (int i = 0; i < w.length; i++) {
      if (a[i] == Codebook.PRUNED) {
        assertEquals(0, Float.floatToRawIntBits(values[i]), "value " + i);
        assertEquals(0, Float.floatToRawIntBits(momentum[i]), "momentum " + i);
      } else {
        assertEquals(centroids[a[i]], values[i]);
        assertEquals(momentumSums[a[i]] / counts[a[i]], momentum[i], 1e-6, "momentum " + i);
      }
    }
  }

  @Test
  void anAllZeroTensorHasAnEmptyCodebook() {
    float[] w = new float[10];
    WeightSharing sharing = WeightSharing.cluster(w, 4, KMeans1D.Init.LINEAR, 0);
    assertEquals(0, sharing.centroids().length);
    float[] g = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    sharing.constrainGradient(g);
    sharing.constrainValues(g);
    assertArrayEquals(new float[10], g);
    assertArrayEquals(new float[10], sharing.codebook().decode());
  }

  @Test
  void misuseIsRejected() {
    float[] w = prunedWeights(100, 0.5, 7);
    assertThrows(
        IllegalArgumentException.class, () -> WeightSharing.cluster(w, 0, KMeans1D.Init.LINEAR, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightSharing.cluster(w, 17, KMeans1D.Init.LINEAR, 0));
    WeightSharing sharing = WeightSharing.cluster(w, 2, KMeans1D.Init.LINEAR, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> sharing.constrainGradient(new float[99]));
    assertTrue(e.getMessage().contains("100") && e.getMessage().contains("99"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new Codebook(2, new float[5], new int[] {0}));
    IllegalArgumentException index =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Codebook(2, new float[] {1, 2}, new int[] {0, -1, 2}));
    assertEquals("index 2 of weight 2 is outside a codebook of 2", index.getMessage());
  }
}
