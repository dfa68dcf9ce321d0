package dev.deepcompress.quantization;

import java.util.Arrays;

/**
 * The scalar {@link TrainingKernels}: plain loops, written without branches on the values (C2
 * compiles float comparisons on random values to branches that it mispredicts) so that the JIT can
 * make the simplest of them SIMD code by itself. The Vector API kernels run the tails of their
 * loops here, one element at a time.
 */
final class ScalarTrainingKernels implements TrainingKernels {

  /** 1.5 × 2^23: adding and subtracting it rounds a float below 2^22 in magnitude to an integer. */
  static final float ROUNDING = 12_582_912f;

  /**
   * {@link UniformQuantizer#index} for a positive scale, in float arithmetic without a branch. It
   * equals {@code Math.rint(w / scale) + zero} clamped to {@code 0..top}: below 2^22 the rounding
   * trick is exact (ties to even, as {@code rint}); beyond, both clamp alike; NaN gives 0 as a cast
   * of NaN does.
   */
  static int onGrid(float w, float scale, int zero, int top) {
    float x = w / scale;
    float rounded = (x + ROUNDING) - ROUNDING;
    return (int) Math.max(0f, Math.min((float) top, rounded + zero));
  }

  @Override
  public int uniform(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int from,
      int to,
      float scale,
      int zero,
      int top,
      float low,
      float high,
      int[] outside,
      int count) {
    if (updated == null) {
      for (int j = from; j < to; j++) {
        int q = onGrid(shadow[j], scale, zero, top);
        indices[j] = q;
        quantized[j] = scale * (float) (q - zero);
      }
    } else {
      for (int j = from; j < to; j++) {
        float w = shadow[j] + (updated[j] - quantized[j]);
        shadow[j] = w;
        int q = onGrid(w, scale, zero, top);
        indices[j] = q;
        // As Levels.Affine.value computes it, for a shared or per-group zero point.
        float level = scale * (float) (q - zero);
        quantized[j] = level;
        updated[j] = level;
      }
    }
    // A separate loop, since recording inside the one above keeps it scalar.
    return recordOutside(shadow, from, to, low, high, outside, count);
  }

  /**
   * The shadow weight at {@code j}, moved by its update and stored if {@code updated} is not null:
   * {@code shadow[j] + (updated[j] − quantized[j])}.
   */
  static float moved(float[] shadow, float[] updated, float[] quantized, int j) {
    float w = shadow[j];
    if (updated != null) {
      w += updated[j] - quantized[j];
      shadow[j] = w;
    }
    return w;
  }

  /**
   * Appends to {@code outside} (from {@code count} on) the positions in {@code [from, to)} whose
   * shadow weight is not within {@code [low, high]}, ascending; returns the new count. Every
   * position is written, the count moves on only past one outside: no branch to mispredict when
   * many are outside (an MSE-clipped grid).
   */
  static int recordOutside(
      float[] shadow, int from, int to, float low, float high, int[] outside, int count) {
    for (int j = from; j < to; j++) {
      float w = shadow[j];
      outside[count] = j;
      count += w >= low & w <= high ? 0 : 1;
    }
    return count;
  }

  @Override
  public void log(
      LogQuantizer.Nearest nearest,
      float[] table,
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int from,
      int to) {
    for (int j = from; j < to; j++) {
      float w = moved(shadow, updated, quantized, j);
      int q = nearest.index(w);
      indices[j] = q;
      float level = table[q];
      quantized[j] = level;
      if (updated != null) {
        updated[j] = level;
      }
    }
  }

  @Override
  public int ternary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to) {
    return ternary(shadow, updated, quantized, indices, deltaBits, upBits, downBits, from, to, 0);
  }

  /** Goes on with {@link #ternary} from the largest bits {@code maxBits} so far. */
  static int ternary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to,
      int maxBits) {
    for (int j = from; j < to; j++) {
      float w = moved(shadow, updated, quantized, j);
      int bits = Float.floatToRawIntBits(w);
      maxBits = Math.max(maxBits, bits & 0x7FFFFFFF);
      setTernary(j, bits, updated, quantized, indices, deltaBits, upBits, downBits);
    }
    return maxBits;
  }

  @Override
  public void ternaryWithin(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int lowBits,
      int highBits,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to) {
    for (int j = from; j < to; j++) {
      int bits = Float.floatToRawIntBits(shadow[j]);
      int magnitudeBits = bits & 0x7FFFFFFF;
      if (magnitudeBits > lowBits && magnitudeBits <= highBits) {
        setTernary(j, bits, updated, quantized, indices, deltaBits, upBits, downBits);
      }
    }
  }

  /**
   * Compares bit patterns, not floats, and selects by masks: for a non-negative Δ, {@code w > Δ}
   * exactly when w is positive and its magnitude's bits exceed Δ's, {@code w < −Δ} likewise for a
   * negative w.
   */
  private static void setTernary(
      int j,
      int bits,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits) {
    int negativeSign = bits >>> 31;
    int beyond = (deltaBits - (bits & 0x7FFFFFFF)) >>> 31;
    int above = beyond & (negativeSign ^ 1);
    int below = beyond & negativeSign;
    indices[j] = TernaryQuantizer.ZERO + above - below;
    float level = Float.intBitsToFloat((upBits & -above) | (downBits & -below));
    quantized[j] = level;
    if (updated != null) {
      updated[j] = level;
    }
  }

  @Override
  public void binarySigns(
      float[] shadow, float[] updated, float[] quantized, int[] indices, int from, int to) {
    for (int j = from; j < to; j++) {
      float w = moved(shadow, updated, quantized, j);
      indices[j] = nonNegative(w);
    }
  }

  /**
   * 1 if {@code w >= 0}, else 0, from the bits: {@code w >= 0} exactly when the sign bit is clear
   * or w is ±0, and w is not NaN.
   */
  static int nonNegative(float w) {
    int bits = Float.floatToRawIntBits(w);
    int magnitudeBits = bits & 0x7FFFFFFF;
    int zero = (magnitudeBits - 1) >>> 31;
    int notNaN = (magnitudeBits - 0x7F800001) >>> 31;
    return ((bits >>> 31 ^ 1) | zero) & notNaN;
  }

  @Override
  public void binaryLevels(
      int[] indices,
      float[] quantized,
      float[] updated,
      int from,
      int to,
      int negativeBits,
      int flip) {
    for (int j = from; j < to; j++) {
      float level = Float.intBitsToFloat(negativeBits ^ (flip & -indices[j]));
      quantized[j] = level;
      if (updated != null) {
        updated[j] = level;
      }
    }
  }

  @Override
  public double sumOfMagnitudes(float[] values, int from, int to) {
    return sumOfMagnitudes(values, from, from, to, new double[BlockedSums.LANES]);
  }

  /**
   * Goes on with {@link #sumOfMagnitudes} of {@code [from, to)} from {@code start}, adding to the
   * running {@code sums}.
   */
  static double sumOfMagnitudes(float[] values, int from, int start, int to, double[] sums) {
    for (int j = start; j < to; j++) {
      sums[(j - from) & (BlockedSums.LANES - 1)] += Math.abs(values[j]);
    }
    return BlockedSums.total(sums);
  }

  @Override
  public void ternaryGradients(
      float[] gradients, int[] indices, float negative, float positive, BlockedSums sums) {
    sums.clear();
    ternaryGradients(gradients, indices, negative, positive, sums, 0);
  }

  /**
   * Goes on with {@link #ternaryGradients} from {@code from}, a multiple of {@link
   * BlockedSums#CHUNK}, adding to {@code sums}. Branch-free, so that random signs cost no
   * mispredictions: each partial sum adds the gradient's bits masked to +0.0 at a weight not at its
   * level, which changes no sum (a sum of this kind is never −0.0).
   */
  static void ternaryGradients(
      float[] gradients,
      int[] indices,
      float negative,
      float positive,
      BlockedSums sums,
      int from) {
    float[] factors = {negative, 1f, positive};
    float[] positivePartials = new float[BlockedSums.PARTIALS];
    float[] negativePartials = new float[BlockedSums.PARTIALS];
    int positives = sums.positives;
    int negatives = sums.negatives;
    for (int chunk = from; chunk < gradients.length; chunk += BlockedSums.CHUNK) {
      Arrays.fill(positivePartials, 0f);
      Arrays.fill(negativePartials, 0f);
      int end = Math.min(gradients.length, chunk + BlockedSums.CHUNK);
      for (int j = chunk; j < end; j++) {
        float g = gradients[j];
        int q = indices[j];
        int isPositive = q >> 1; // q is NEGATIVE 0, ZERO 1 or POSITIVE 2
        int isNegative = (q - 1) >>> 31;
        int bits = Float.floatToRawIntBits(g);
        int lane = (j - chunk) & (BlockedSums.PARTIALS - 1);
        positivePartials[lane] += Float.intBitsToFloat(bits & -isPositive);
        negativePartials[lane] += Float.intBitsToFloat(bits & -isNegative);
        positives += isPositive;
        negatives += isNegative;
        gradients[j] = factors[q] * g;
      }
      for (int lane = 0; lane < BlockedSums.PARTIALS; lane++) {
        sums.positive[lane & (BlockedSums.LANES - 1)] += positivePartials[lane];
        sums.negative[lane & (BlockedSums.LANES - 1)] += negativePartials[lane];
      }
    }
    sums.positives = positives;
    sums.negatives = negatives;
  }

  @Override
  public void fill(float[] tensor, int[] slots, float[] table, int from, int to) {
    for (int i = from; i < to; i++) {
      tensor[i] = table[slots[i]];
    }
  }
}
