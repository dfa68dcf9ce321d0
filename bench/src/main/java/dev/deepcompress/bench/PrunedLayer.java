package dev.deepcompress.bench;

import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.SplittableRandom;

/** Synthetic stand-ins for the weights a compression stage sees. */
final class PrunedLayer {
  /** About what survives of AlexNet's fc6 (37.7 M weights) when 9% are kept. */
  static final int FC6_SURVIVORS = 3_400_000;

  /** Width of the position gaps a file would store; it does not change the values. */
  private static final int GAP_BITS = 5;

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

  /**
   * A pruned, weight-shared {@code rows × columns} weight: {@code round(kept · rows · columns)}
   * positions drawn uniformly at random, holding {@link #survivors} clustered by k-means (linear
   * seeds) into at most {@code 2^indexBits} shared values.
   */
  static SparseQuantizedTensor weightShared(
      int rows, int columns, double kept, int indexBits, long seed) {
    Shape shape = Shape.of(rows, columns);
    int total = shape.elementCount();
    int count = (int) Math.round(kept * total);
    SplittableRandom random = new SplittableRandom(seed);
    // Selection sampling (Knuth's algorithm S): one pass, exactly count positions, ascending.
    int[] positions = new int[count];
    for (int i = 0, n = 0; n < count; i++) {
      if (random.nextDouble() * (total - i) < count - n) {
        positions[n++] = i;
      }
    }
    KMeans1D.Result clusters = KMeans1D.fit(survivors(count, random.nextLong()), 1 << indexBits);
    int[] assignments = clusters.assignments();
    byte[] codes = new byte[count];
    for (int n = 0; n < count; n++) {
      codes[n] = (byte) assignments[n];
    }
    return new SparseQuantizedTensor(
        shape, clusters.centroids(), positions, codes, indexBits, GAP_BITS);
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
