package dev.deepcompress.quantization;

import java.util.SplittableRandom;

/** Seeded samples from the shapes weight tensors take, for the k-means tests. */
enum Samples {
  GAUSSIAN {
    @Override
    double draw(SplittableRandom random) {
      return 0.05 * random.nextGaussian();
    }
  },
  BIMODAL {
    @Override
    double draw(SplittableRandom random) {
      return (random.nextBoolean() ? -0.1 : 0.06) + 0.02 * random.nextGaussian();
    }
  },
  LAPLACE {
    @Override
    double draw(SplittableRandom random) {
      return laplace(random, 0.02);
    }
  },
  /** What magnitude pruning leaves of a Laplace-like layer: two heavy tails, nothing near 0. */
  PRUNED_LAPLACE {
    @Override
    double draw(SplittableRandom random) {
      double w;
      do {
        w = laplace(random, 0.02);
      } while (Math.abs(w) <= 0.03);
      return w;
    }
  };

  abstract double draw(SplittableRandom random);

  float[] sample(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) draw(random);
    }
    return values;
  }

  private static double laplace(SplittableRandom random, double scale) {
    double u = random.nextDouble() - 0.5;
    return -scale * Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
  }
}
