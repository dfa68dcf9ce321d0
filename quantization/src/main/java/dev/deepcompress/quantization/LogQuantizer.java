package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Levels;
import java.util.Arrays;

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

  /**
   * The level nearest to a value, without a branch on the value: a weight's magnitude is compared
   * only with the cuts (midpoints between neighbouring magnitudes) inside its own binade, found by
   * its float exponent. Neighbouring magnitudes are a factor of 2 or √2 apart, so a binade holds
   * one or two cuts, more only where the magnitudes underflow into subnormals.
   */
  static final class Nearest {
    private final int magnitudes;

    /**
     * The bits of the cuts ascending, each the largest float at or below the exact midpoint, then
     * +∞.
     */
    private final int[] cutBits;

    /** For each float exponent (biased, 0-255), how many cuts lie below that binade. */
    private final int[] below;

    /** The most cuts one binade holds: the comparisons each value needs. */
    private final int comparisons;

    Nearest(Levels.PowersOfTwo levels) {
      magnitudes = levels.magnitudes();
      double[] exact = new double[magnitudes];
      for (int i = 0; i < magnitudes; i++) {
        // Ascending: the i-th cut lies between the (i-1)-th smallest magnitude (or 0) and the i-th.
        double smaller = i == 0 ? 0 : levels.magnitude(magnitudes - i);
        exact[i] = (smaller + levels.magnitude(magnitudes - 1 - i)) / 2;
      }
      below = new int[256];
      int most = 0;
      for (int e = 0; e < 256; e++) {
        // The binade of biased exponent e: [2^(e−127), 2^(e−126)), from 0 for subnormals.
        double low = e == 0 ? 0 : Math.scalb(1.0, e - 127);
        double high = Math.scalb(1.0, e - 126);
        int count = 0;
        int inside = 0;
        for (double cut : exact) {
          count += cut < low ? 1 : 0;
          inside += cut >= low && cut < high ? 1 : 0;
        }
        below[e] = count;
        most = Math.max(most, inside);
      }
      comparisons = most;
      // A float exceeds a midpoint exactly when it exceeds the largest float at or below it.
      cutBits = new int[magnitudes + Math.max(2, comparisons)];
      Arrays.fill(cutBits, Float.floatToRawIntBits(Float.POSITIVE_INFINITY));
      for (int i = 0; i < magnitudes; i++) {
        float cut = (float) exact[i];
        cutBits[i] = Float.floatToRawIntBits(cut > exact[i] ? Math.nextDown(cut) : cut);
      }
    }

    /** Level magnitudes per sign, which is also the number of cuts. */
    int magnitudes() {
      return magnitudes;
    }

    /** The bits of the {@code i}-th cut, ascending, {@code i < magnitudes()}. */
    int cutBits(int i) {
      return cutBits[i];
    }

    /**
     * The level index of the level nearest to {@code v}; a tie goes to the smaller magnitude, NaN
     * to 0 and an infinity to the largest magnitude of its sign. Integer arithmetic on the bits
     * throughout, since the JIT compiles float comparisons on random values to branches that it
     * mispredicts: a magnitude exceeds a non-negative cut exactly when its bits do.
     */
    int index(float v) {
      int bits = Float.floatToRawIntBits(v);
      int magnitudeBits = bits & 0x7FFFFFFF;
      int first = below[magnitudeBits >>> 23];
      // Two comparisons unrolled, the most a binade holds unless magnitudes reach the subnormals.
      int lo =
          first
              + ((cutBits[first] - magnitudeBits) >>> 31)
              + ((cutBits[first + 1] - magnitudeBits) >>> 31);
      for (int k = 2; k < comparisons; k++) {
        lo += (cutBits[first + k] - magnitudeBits) >>> 31;
      }
      // j = magnitudes − lo is the magnitude's rank, 0 the largest; a negative sign adds 1.
      int index = 2 * (magnitudes - lo) + 1 + (bits >>> 31);
      int notNaN = (magnitudeBits - 0x7F800001) >>> 31;
      return index & -((-lo >>> 31) & notNaN);
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

    /** Block by block on the kernel threads: each weight's level depends on it alone. */
    @Override
    protected void requantize(float[] updated) {
      KernelThreads.parallelBlocks(
          shadow.length,
          TrainingKernels.BLOCK,
          (block, from, to) ->
              TrainingKernels.PREFERRED.log(
                  nearest, table, shadow, updated, quantized, indices, from, to));
    }

    @Override
    protected Quantized quantization() {
      return new Parametric(levels.bits(), levels, indices);
    }
  }
}
