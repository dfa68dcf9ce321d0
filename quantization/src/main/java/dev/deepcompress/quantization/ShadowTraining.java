package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Quantized;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantization-aware training with full-precision shadow weights: the network holds the quantized
 * weights, so the forward pass and every evaluation see them; the gradient taken there reaches the
 * shadow weights straight through (as the quantizer's {@link #shadowGradients} says); after each
 * update the shadow weights move by exactly the update the optimizer made, and are quantized again.
 * Weight decay therefore acts on the quantized weight the forward pass saw. Pruned weights, their
 * gradients and their momentum stay at exactly {@code +0.0}.
 *
 * <p>Every step runs a few passes over the kept weights, so the quantizers work on whole arrays
 * (one call per tensor and step, each a loop of its own), never one call per weight: a call per
 * weight to whichever of five quantizers it is cannot be inlined, and made a retraining epoch of
 * LeNet-300-100 2.6 to 8 times as long as a plain one.
 */
abstract class ShadowTraining implements QuantizedTraining {
  private final CompressedTensor pruned;

  /** Flat positions of the kept weights, ascending. */
  protected final int[] positions;

  /** One full-precision weight per kept weight, in position order. */
  protected final float[] shadow;

  /** Each kept weight's current level index. */
  protected final int[] indices;

  /** Each kept weight's current level, the value its index stands for. */
  protected final float[] quantized;

  /** The gradient at each kept weight, in position order, for {@link #shadowGradients}. */
  private final float[] gradients;

  /** The whole tensor as the network holds it: kept weights at their levels, pruned +0.0. */
  private final float[] values;

  ShadowTraining(CompressedTensor pruned, float[] weights) {
    this.pruned = pruned;
    if (weights.length != pruned.mask().size()) {
      throw new IllegalArgumentException(
          pruned.name() + ": " + weights.length + " weights for a mask of " + pruned.mask().size());
    }
    this.positions = pruned.mask().keptPositions();
    this.shadow = new float[positions.length];
    for (int j = 0; j < positions.length; j++) {
      shadow[j] = weights[positions[j]];
    }
    this.indices = new int[positions.length];
    this.quantized = new float[positions.length];
    this.gradients = new float[positions.length];
    this.values = new float[weights.length];
  }

  /**
   * Quantizes the shadow weights: fills {@link #indices} and {@link #quantized} (and may re-derive
   * parameters).
   */
  protected abstract void assign();

  /** The quantization the current indices and parameters make. */
  protected abstract Quantized quantization();

  /**
   * Turns {@code gradients}, taken at the kept weights' quantized values (in position order), into
   * the shadow weights' gradients, in place. The default leaves them as they are: a plain
   * straight-through estimator.
   */
  protected void shadowGradients(float[] gradients) {}

  /** Called after the shadow weights took an update and before they are quantized again. */
  protected void shadowsUpdated() {}

  /**
   * What the quantizer trains besides the shadow weights (a ternary quantizer's two scales), as
   * copies; none by default. Parameters derived from the shadow weights on each assignment, or
   * fixed when the quantizer was built, are not state.
   */
  protected List<float[]> learnedLevels() {
    return List.of();
  }

  /**
   * Takes back what {@link #learnedLevels} gave; checks it all before changing anything.
   *
   * @throws IllegalArgumentException if it is not of this quantizer's number and sizes of arrays
   */
  protected void restoreLevels(List<float[]> learned) {
    if (!learned.isEmpty()) {
      throw new IllegalArgumentException("no trained levels to restore, got " + learned.size());
    }
  }

  /** The shadow weights, then the {@link #learnedLevels}. */
  @Override
  public final List<float[]> learned() {
    List<float[]> learned = new ArrayList<>();
    learned.add(shadow.clone());
    learned.addAll(learnedLevels());
    return learned;
  }

  @Override
  public final void restoreLearned(List<float[]> learned) {
    if (learned.isEmpty() || learned.getFirst().length != shadow.length) {
      throw new IllegalArgumentException(
          pruned.name() + ": expected " + shadow.length + " shadow weights first");
    }
    restoreLevels(learned.subList(1, learned.size()));
    System.arraycopy(learned.getFirst(), 0, shadow, 0, shadow.length);
    requantize();
  }

  /** Assigns the starting shadow weights; subclasses call it last in their constructor. */
  protected final void start() {
    requantize();
  }

  private void requantize() {
    assign();
    for (int j = 0; j < positions.length; j++) {
      values[positions[j]] = quantized[j];
    }
  }

  @Override
  public final void quantize(float[] weights) {
    System.arraycopy(values, 0, weights, 0, values.length);
  }

  @Override
  public final CompressedTensor tensor() {
    return pruned.withQuantization(quantization());
  }

  @Override
  public final void constrainGradient(float[] gradient) {
    for (int j = 0; j < positions.length; j++) {
      gradients[j] = gradient[positions[j]];
    }
    shadowGradients(gradients);
    pruned.mask().zeroPruned(gradient);
    for (int j = 0; j < positions.length; j++) {
      gradient[positions[j]] = gradients[j];
    }
  }

  @Override
  public final void constrainValues(float[] updated) {
    for (int j = 0; j < positions.length; j++) {
      int p = positions[j];
      shadow[j] += updated[p] - values[p];
    }
    shadowsUpdated();
    requantize();
    System.arraycopy(values, 0, updated, 0, values.length);
  }

  @Override
  public final void constrainMomentum(float[] momentum) {
    pruned.mask().zeroPruned(momentum);
  }

  /** The weights {@code pruned}'s mask keeps, in position order. */
  static float[] kept(CompressedTensor pruned, float[] weights) {
    int[] positions = pruned.mask().keptPositions();
    float[] kept = new float[positions.length];
    for (int j = 0; j < positions.length; j++) {
      kept[j] = weights[positions[j]];
    }
    return kept;
  }
}
