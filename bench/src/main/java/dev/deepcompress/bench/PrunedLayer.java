package dev.deepcompress.bench;

import java.util.SplittableRandom;

/** Synthetic stand-ins for the weights a compression stage sees. */
final class PrunedLayer {
  /** About what survives of AlexNet's fc6 (37.7 M weights) when 9% are kept. */
  static final int FC6_SURVIVORS = 3_400_000;

  private PrunedLayer() {}

  /**
   * {@code count} surviving weights of a magnitude-pruned layer: trained fully connected weights
   * are peaked and heavy-tailed (a Laplace–Gaussian mix here), and pruning removes the middle,
   * leaving two tails.
   */
  static float[] survivors(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] weights = new float[count];
    int n = 0;
    while (n < count) {
      double w;
      if (random.nextDouble() < 0.7) {
        double u = random.nextDouble() - 0.5;
        w = -0.004 * Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
      } else {
        w = 0.006 * random.nextGaussian();
      }
      if (Math.abs(w) > 0.008) {
        weights[n++] = (float) w;
      }
    }
    return weights;
  }

  /** The same values as Smile's input: one 1-D point per weight. */
  static double[][] asPoints(float[] weights) {
    double[][] points = new double[weights.length][];
    for (int i = 0; i < weights.length; i++) {
      points[i] = new double[] {weights[i]};
    }
    return points;
  }
}
