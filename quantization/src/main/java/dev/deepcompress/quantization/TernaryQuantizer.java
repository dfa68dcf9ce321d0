package dev.deepcompress.quantization;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Quantized;
import java.util.Arrays;
import java.util.List;

/**
 * Trained ternary quantization (Zhu, Han, Mao, Dally 2017): levels {@code {−Wn, 0, +Wp}}, a kept
 * weight within {@code Δ = t × max|w|} of zero going to 0. Calibration sets each scale to the mean
 * magnitude of the weights it stands for (the least-squares choice for that assignment). Trained
 * mode trains shadow weights and both scales as that paper does: the gradient of {@code Wp} is the
 * sum of the gradients at the weights on {@code +Wp} (of {@code Wn}, minus the sum at those on
 * {@code −Wn}), and a shadow weight on a non-zero level gets its gradient times that level's scale;
 * {@code Δ} follows the shadow weights. The scales take plain gradient steps at the step's learning
 * rate, the sum divided by the number of weights at the level: a scale stands for thousands of
 * weights, and the plain sum at the weights' rate moved it by more than its own size per step
 * (LeNet-300-100, unpruned: 30% test error after one epoch, against 8% before retraining). Stored
 * as a three-entry codebook: index 0 is {@code −Wn}, 1 is 0, 2 is {@code +Wp}.
 */
record TernaryQuantizer(QuantizerSpec.Ternary spec) implements Quantizer {
  static final int NEGATIVE = 0;
  static final int ZERO = 1;
  static final int POSITIVE = 2;

  @Override
  public CompressedTensor quantize(CompressedTensor pruned, float[] weights) {
    return training(pruned, weights).tensor();
  }

  @Override
  public QuantizedTraining training(CompressedTensor pruned, float[] weights) {
    return new Training(pruned, weights, spec.threshold());
  }

  private static final class Training extends ShadowTraining {
    private final double threshold;
    private float positive;
    private float negative;
    private double rate;
    private double positiveGradient;
    private double negativeGradient;
    private int positiveCount;
    private int negativeCount;

    private final BlockedSums sums = new BlockedSums();

    /** The raw bits of Δ at the last assignment (not NaN, not negative; 0 before the first). */
    private int deltaBits;

    Training(CompressedTensor pruned, float[] weights, double threshold) {
      super(pruned, weights);
      this.threshold = threshold;
      requantize(null);
      double[] sums = new double[3];
      int[] counts = new int[3];
      for (int j = 0; j < shadow.length; j++) {
        sums[indices[j]] += Math.abs(shadow[j]);
        counts[indices[j]]++;
      }
      positive = counts[POSITIVE] == 0 ? 0f : (float) (sums[POSITIVE] / counts[POSITIVE]);
      negative = counts[NEGATIVE] == 0 ? 0f : (float) (sums[NEGATIVE] / counts[NEGATIVE]);
      start();
    }

    /**
     * Δ needs the largest moved shadow weight, known only once every weight has moved. A step
     * therefore moves the weights and assigns them by the last assignment's Δ in one pass, then
     * assigns by the new Δ only the weights whose magnitudes lie between the two (few: Δ moves
     * little in a step): the levels a second full pass would give. The largest magnitude is the
     * largest bit pattern of a non-negative float (NaN the largest of all, as {@code Math.max}
     * gives NaN). One thread: these streaming passes split over two took longer
     * (docs/quantizers-results.md).
     */
    @Override
    protected void requantize(float[] updated) {
      TrainingKernels kernels = TrainingKernels.PREFERRED;
      int n = shadow.length;
      int upBits = Float.floatToRawIntBits(positive);
      int downBits = Float.floatToRawIntBits(-negative);
      int maxBits =
          kernels.ternary(shadow, updated, quantized, indices, deltaBits, upBits, downBits, 0, n);
      float delta = (float) (threshold * Float.intBitsToFloat(maxBits));
      if (delta != delta) {
        // A NaN Δ (a NaN weight) puts every weight at 0, as the comparisons with it would.
        Arrays.fill(indices, ZERO);
        Arrays.fill(quantized, 0f);
        if (updated != null) {
          Arrays.fill(updated, 0f);
        }
        return;
      }
      int newBits = Float.floatToRawIntBits(delta);
      if (newBits != deltaBits) {
        kernels.ternaryWithin(
            shadow,
            updated,
            quantized,
            indices,
            Math.min(deltaBits, newBits),
            Math.max(deltaBits, newBits),
            newBits,
            upBits,
            downBits,
            0,
            n);
      }
      deltaBits = newBits;
    }

    @Override
    protected Quantized quantization() {
      return new Codebook(2, new float[] {-negative, 0f, positive}, indices);
    }

    @Override
    public void beforeUpdate(double rate) {
      this.rate = rate;
    }

    @Override
    protected boolean changesGradients() {
      return true;
    }

    /** The gradients of both scales are {@link BlockedSums}. */
    @Override
    protected void shadowGradients(float[] gradients) {
      TrainingKernels.PREFERRED.ternaryGradients(gradients, indices, negative, positive, sums);
      positiveGradient = BlockedSums.total(sums.positive);
      negativeGradient = BlockedSums.total(sums.negative);
      positiveCount = sums.positives;
      negativeCount = sums.negatives;
    }

    /** The two scales, trained by their own gradients. */
    @Override
    protected List<float[]> learnedLevels() {
      return List.of(new float[] {positive, negative});
    }

    @Override
    protected void restoreLevels(List<float[]> learned) {
      if (learned.size() != 1 || learned.getFirst().length != 2) {
        throw new IllegalArgumentException("a ternary quantizer restores its two scales");
      }
      positive = learned.getFirst()[0];
      negative = learned.getFirst()[1];
    }

    @Override
    protected void levelsUpdated() {
      // The level −Wn has gradient −(sum at its weights) with respect to Wn.
      positive =
          (float) Math.max(0, positive - rate * positiveGradient / Math.max(1, positiveCount));
      negative =
          (float) Math.max(0, negative + rate * negativeGradient / Math.max(1, negativeCount));
    }
  }
}
