package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import smile.clustering.CentroidClustering;
import smile.clustering.KMeans;
import smile.math.MathEx;

/** Our distortion against Smile's k-means (k-means++ seeding, BBD-tree Lloyd) on the same data. */
class SmileOracleTest {

  @Test
  void distortionIsNoWorseThanSmiles() {
    int[][] sizes = {{10_000, 4}, {30_000, 16}, {100_000, 64}};
    long seed = 1;
    for (Samples shape : Samples.values()) {
      for (int[] size : sizes) {
        float[] values = shape.sample(size[0], seed++);
        int k = size[1];
        double smiles = smileDistortion(values, k, seed);
        for (KMeans1D.Init init : KMeans1D.Init.values()) {
          // Linear and density seeds spend centroids on the sparse tails on purpose (the paper
          // keeps large weights well represented), which costs distortion once k is large; only
          // the seeding Smile uses itself is held to Smile's distortion there.
          if (k > 16 && init != KMeans1D.Init.KMEANS_PLUS_PLUS) {
            continue;
          }
          double ours =
              KMeans1D.fit(values, k, init, seed, KMeans1D.DEFAULT_MAX_ITERATIONS).distortion();
          assertTrue(
              ours <= smiles * 1.01,
              shape
                  + ", n "
                  + values.length
                  + ", k "
                  + k
                  + ", "
                  + init
                  + ": ours "
                  + ours
                  + ", Smile "
                  + smiles);
        }
      }
    }
  }

  /** Smile's result, with its distortion measured here the same way as ours. */
  private static double smileDistortion(float[] values, int k, long seed) {
    double[][] points = new double[values.length][];
    for (int i = 0; i < values.length; i++) {
      points[i] = new double[] {values[i]};
    }
    MathEx.setSeed(seed);
    CentroidClustering<double[], double[]> model = KMeans.fit(points, k, 1000);
    double distortion = 0;
    for (int i = 0; i < values.length; i++) {
      double d = values[i] - model.center(model.group(i))[0];
      distortion += d * d;
    }
    return distortion;
  }
}
