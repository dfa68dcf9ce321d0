package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.model.Levels;

/**
 * Logarithmic quantization: each kept weight becomes 0 or its sign times the nearest power of two
 * (or of √2) below a top level chosen from the tensor's largest magnitude, the one of four
 * neighbouring tops that gives the smallest squared error. Trained mode keeps the top and trains
 * shadow weights with a straight-through gradient.
 */
record LogQuantizer(QuantizerSpec.Log spec) implements Quantizer {

  @Override
  public CompressedTensor quantize(CompressedTensor pruned, float[] weights) {
    return training(pruned, weights).tensor();
  }

  @Override
  public QuantizedTraining training(CompressedTensor pruned, float[] weights) {
    return new Training(pruned, weights, calibrate(ShadowTraining.kept(pruned, weights)));
  }

  /** The levels for {@code kept}: the top exponent with the smallest squared error. */
  Levels.PowersOfTwo calibrate(float[] kept) {
    double max = 0;
    for (float v : kept) {
      max = Math.max(max, Math.abs(v));
    }
    int perOctave = spec.sqrt2() ? 2 : 1;
    int guess = max > 0 ? (int) Math.round(perOctave * Math.log(max) / Math.log(2)) : 0;
    Levels.PowersOfTwo best = null;
    double bestError = Double.POSITIVE_INFINITY;
    for (int top = guess - 2; top <= guess + 1; top++) {
      Levels.PowersOfTwo levels =
          new Levels.PowersOfTwo(
              spec.bits(), Math.max(Byte.MIN_VALUE, Math.min(Byte.MAX_VALUE, top)), spec.sqrt2());
      Nearest nearest = new Nearest(levels);
      double error = 0;
      for (float v : kept) {
        double d = v - levels.value(nearest.index(v), 0);
        error += d * d;
      }
      if (error < bestError) {
        bestError = error;
        best = levels;
      }
    }
    return best;
  }

  /** The level nearest to a value, by binary search over the midpoints of the magnitudes. */
  static final class Nearest {
    /** Magnitudes ascending, 0 first. */
    private final float[] ascending;

    private final double[] cuts;

    Nearest(Levels.PowersOfTwo levels) {
      int m = levels.magnitudes();
      ascending = new float[m + 1];
      for (int j = 0; j < m; j++) {
        ascending[m - j] = levels.magnitude(j);
      }
      cuts = new double[m];
      for (int i = 0; i < m; i++) {
        cuts[i] = ((double) ascending[i] + ascending[i + 1]) / 2;
      }
    }

    /** The level index of the level nearest to {@code v}; a tie goes to the smaller magnitude. */
    int index(float v) {
      double a = Math.abs(v);
      int lo = 0;
      int hi = cuts.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (a > cuts[mid]) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo == 0) {
        return 0;
      }
      int j = ascending.length - 1 - lo; // j = 0 is the largest magnitude
      return v > 0 ? 2 * j + 1 : 2 * j + 2;
    }
  }

  private static final class Training extends ShadowTraining {
    private final Levels.PowersOfTwo levels;
    private final Nearest nearest;

    /** The value of each level index. */
    private final float[] table;

    Training(CompressedTensor pruned, float[] weights, Levels.PowersOfTwo levels) {
      super(pruned, weights);
      this.levels = levels;
      this.nearest = new Nearest(levels);
      this.table = new float[2 * levels.magnitudes() + 1];
      for (int i = 0; i < table.length; i++) {
        table[i] = levels.value(i, 0);
      }
      start();
    }

    @Override
    protected void assign() {
      for (int j = 0; j < shadow.length; j++) {
        int q = nearest.index(shadow[j]);
        indices[j] = q;
        quantized[j] = table[q];
      }
    }

    @Override
    protected Quantized quantization() {
      return new Parametric(levels.bits(), levels, indices);
    }
  }
}
