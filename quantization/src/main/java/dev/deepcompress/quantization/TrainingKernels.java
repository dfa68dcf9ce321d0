package dev.deepcompress.quantization;

import dev.deepcompress.runtime.kernels.VectorApi;

/**
 * The elementwise passes of quantization-aware training over a tensor's weights: Vector API
 * kernels, or their scalar fallback without {@code --add-modules jdk.incubator.vector}. Both give
 * exactly the same results, bit for bit, whatever the vector width: each element goes through the
 * same operations in the same order; a largest magnitude is an integer maximum, which no order
 * changes; sums in double are {@link BlockedSums}, in one order on every machine.
 *
 * <p>They live here, not among the runtime's kernels: only training uses them, and the runtime is
 * what inference ships. They choose between vector and scalar code as the runtime's do ({@link
 * VectorApi}).
 *
 * <p>Where an array {@code updated} may be null: if it is not, each shadow weight first moves by
 * its update, {@code shadow[j] += updated[j] − quantized[j]} (as {@link ShadowTraining#requantize}
 * says), and {@code updated[j]} receives the new level as {@code quantized[j]} does.
 */
interface TrainingKernels {
  /**
   * Elements per block where a training pass runs on the kernel threads ({@link
   * dev.deepcompress.runtime.kernels.KernelThreads#parallelBlocks}). The passes split so compute
   * each element from that element alone (binary's row scales from whole rows), so their results do
   * not depend on the blocks; a pass that added up across blocks would need them fixed, as they
   * are.
   */
  int BLOCK = 1 << 14;

  TrainingKernels SCALAR = new ScalarTrainingKernels();

  /** The Vector API kernels if that module is present, else {@link #SCALAR}. */
  TrainingKernels PREFERRED =
      VectorApi.present()
          ? VectorApi.load(
              TrainingKernels.class.getPackageName() + ".VectorTrainingKernels",
              TrainingKernels.class)
          : SCALAR;

  /**
   * Uniform affine levels on {@code [from, to)}, one group: {@code indices[j]} and {@code
   * quantized[j]} as {@link UniformQuantizer#index} and {@code scale × (q − zero)} give them for a
   * positive {@code scale}; appends to {@code outside} (from {@code count} on) the positions whose
   * shadow weight is not within {@code [low, high]}, ascending.
   *
   * @return the new count of {@code outside}
   */
  int uniform(
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
      int count);

  /** Logarithmic levels on {@code [from, to)}: {@code table[nearest.index(w)]}. */
  void log(
      LogQuantizer.Nearest nearest,
      float[] table,
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int from,
      int to);

  /**
   * Ternary levels on {@code [from, to)}: index 2 and level {@code up} where {@code w > Δ}, 0 and
   * {@code down} where {@code w < −Δ}, else 1 and {@code +0.0} (a NaN weight: by its sign bit, as
   * if beyond Δ); all as raw float bits, Δ not NaN and not negative.
   *
   * @return the largest bits of the (moved) shadow weights' magnitudes, {@code
   *     Float.floatToRawIntBits(|w|)}, or 0 if there are none
   */
  int ternary(
      float[] shadow,
      float[] updated,
      float[] quantized,
      int[] indices,
      int deltaBits,
      int upBits,
      int downBits,
      int from,
      int to);

  /**
   * {@link #ternary} levels by Δ again, without moving, for the shadow weights on {@code [from,
   * to)} whose magnitude's bits lie in {@code (lowBits, highBits]}: after an assignment by a Δ at
   * one end of that range, those are the only ones that the Δ at the other end puts on another
   * level. Others may be written again with the levels they have.
   */
  void ternaryWithin(
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
      int to);

  /**
   * Moves the shadow weights of {@code [from, to)} and sets each index to 1 if {@code w >= 0}, else
   * 0; leaves {@code quantized} and {@code updated} alone (see {@link #binaryLevels}).
   */
  void binarySigns(
      float[] shadow, float[] updated, float[] quantized, int[] indices, int from, int to);

  /**
   * Binary levels on {@code [from, to)}: the float of bits {@code negativeBits ^ flip} at index 1,
   * of {@code negativeBits} at index 0, into {@code quantized} and {@code updated} (if not null).
   */
  void binaryLevels(
      int[] indices,
      float[] quantized,
      float[] updated,
      int from,
      int to,
      int negativeBits,
      int flip);

  /**
   * The sum of {@code |values[j]|} over {@code [from, to)} in double, in {@link BlockedSums}'
   * order.
   */
  double sumOfMagnitudes(float[] values, int from, int to);

  /**
   * A ternary quantizer's gradient pass: each gradient times its level's factor ({@code negative},
   * 1 or {@code positive} for indices 0, 1, 2), and into {@code sums} (cleared first) the
   * gradients, as they were, at indices 2 and at indices 0 (in the two stages {@link BlockedSums}
   * describes), and how many there are.
   */
  void ternaryGradients(
      float[] gradients, int[] indices, float negative, float positive, BlockedSums sums);

  /**
   * {@code tensor[i] = table[slots[i]]} for every i in {@code [from, to)}; each slot must be an
   * index of {@code table}.
   */
  void fill(float[] tensor, int[] slots, float[] table, int from, int to);
}
