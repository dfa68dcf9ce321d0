package dev.deepcompress.pruning;

import dev.deepcompress.compression.Mask;
import java.util.Arrays;

/** How a layer's magnitude threshold is chosen; weights at or below it are pruned. */
public sealed interface ThresholdPolicy {

  /** The threshold for {@code weights}, of which {@code mask} keeps some. */
  double threshold(float[] weights, Mask mask);

  String describe();

  /**
   * The policy to apply at step {@code step} (1-based) of {@code steps} pruning iterations, so that
   * the last step reaches this policy's target.
   */
  ThresholdPolicy atStep(int step, int steps);

  /**
   * The paper's rule: quality parameter × standard deviation of the layer's surviving weights.
   * Applied again after retraining, it keeps pruning the survivors.
   */
  record QualityTimesStd(double quality) implements ThresholdPolicy {
    public QualityTimesStd {
      if (!(quality >= 0) || Double.isInfinite(quality)) {
        throw new IllegalArgumentException("quality must be a finite value ≥ 0, got " + quality);
      }
    }

    @Override
    public double threshold(float[] weights, Mask mask) {
      double sum = 0;
      double sumSquares = 0;
      int n = 0;
      for (int i = 0; i < weights.length; i++) {
        if (mask.isKept(i)) {
          sum += weights[i];
          sumSquares += (double) weights[i] * weights[i];
          n++;
        }
      }
      if (n == 0) {
        return 0;
      }
      double mean = sum / n;
      return quality * Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
    }

    @Override
    public String describe() {
      return quality + "·σ";
    }

    @Override
    public ThresholdPolicy atStep(int step, int steps) {
      return this;
    }
  }

  /** Keeps the {@code keptFraction} largest-magnitude weights of the whole tensor. */
  record KeptFraction(double keptFraction) implements ThresholdPolicy {
    public KeptFraction {
      if (!(keptFraction > 0 && keptFraction <= 1)) {
        throw new IllegalArgumentException("kept fraction must be in (0, 1], got " + keptFraction);
      }
    }

    @Override
    public double threshold(float[] weights, Mask mask) {
      float[] magnitudes = new float[weights.length];
      for (int i = 0; i < weights.length; i++) {
        magnitudes[i] = Math.abs(weights[i]);
      }
      Arrays.sort(magnitudes);
      int keep = (int) Math.round(keptFraction * weights.length);
      if (keep >= weights.length) {
        return -1;
      }
      // Everything at or below the largest pruned magnitude goes.
      return magnitudes[weights.length - keep - 1];
    }

    @Override
    public String describe() {
      return String.format("keep %.1f%%", 100 * keptFraction);
    }

    /** Geometric steps: each iteration removes the same share of what is left. */
    @Override
    public ThresholdPolicy atStep(int step, int steps) {
      return new KeptFraction(Math.pow(keptFraction, (double) step / steps));
    }
  }
}
