package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Quantized;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Quantization-aware training with full-precision shadow weights: the network holds the quantized
 * weights, so the forward pass and every evaluation see them; the gradient taken there reaches the
 * shadow weights straight through (as the quantizer's {@link #shadowGradients} says); after each
 * update the shadow weights move by exactly the update the optimizer made, and are quantized again.
 * Weight decay therefore acts on the quantized weight the forward pass saw. Pruned weights, their
 * gradients and their momentum stay at exactly {@code +0.0}.
 *
 * <p>A step of a fully connected layer is cheap beside the passes a quantizer makes over its
 * weights, so each step makes as few as it can: the quantizers work on whole arrays in kept order
 * (one call per tensor and step, or per {@link TrainingKernels#BLOCK} where a pass that computes
 * per weight runs on the kernel threads; never a virtual call per weight, which cannot be inlined),
 * and {@link #requantize} moves the shadow weights, quantizes them and writes the levels in one
 * pass where the levels are fixed, with the Vector API where it is there ({@link TrainingKernels}).
 * A tensor whose mask keeps every weight is worked on in place; only a pruned one is gathered into
 * kept order and scattered back, into arrays allocated once.
 */
abstract class ShadowTraining implements QuantizedTraining {
  private final CompressedTensor pruned;

  /** Flat positions of the kept weights, ascending; null if the mask keeps every weight. */
  private final int[] positions;

  /** One full-precision weight per kept weight, in kept order. */
  protected final float[] shadow;

  /** Each kept weight's current level index. */
  protected final int[] indices;

  /** Each kept weight's current level, the value its index stands for (the network's value). */
  protected final float[] quantized;

  /** A pruned tensor's gradients or updated values in kept order; null if nothing is pruned. */
  private final float[] gathered;

  ShadowTraining(CompressedTensor pruned, float[] weights) {
    this.pruned = pruned;
    if (weights.length != pruned.mask().size()) {
      throw new IllegalArgumentException(
          pruned.name() + ": " + weights.length + " weights for a mask of " + pruned.mask().size());
    }
    int[] kept = pruned.mask().keptPositions();
    boolean dense = kept.length == weights.length;
    this.positions = dense ? null : kept;
    this.shadow = dense ? weights.clone() : gather(weights, new float[kept.length]);
    this.indices = new int[kept.length];
    this.quantized = new float[kept.length];
    this.gathered = dense ? null : new float[kept.length];
  }

  /** The flat position of each kept weight, ascending. */
  protected final int[] keptPositions() {
    return positions != null ? positions : pruned.mask().keptPositions();
  }

  /**
   * Quantizes the shadow weights: fills {@link #indices} and {@link #quantized} (and may re-derive
   * parameters). If {@code updated} is not null it holds, in kept order, the values the optimizer
   * left: first each shadow weight moves by its update, {@code updated[j] − quantized[j]}, and at
   * the end {@code updated[j]} holds the new level too.
   */
  protected abstract void requantize(float[] updated);

  /** The quantization the current indices and parameters make. */
  protected abstract Quantized quantization();

  /**
   * Whether {@link #shadowGradients} changes anything; if not, the gradient of a tensor with
   * nothing pruned is left alone.
   */
  protected boolean changesGradients() {
    return false;
  }

  /**
   * Turns {@code gradients}, taken at the kept weights' quantized values (in kept order), into the
   * shadow weights' gradients, in place. The default leaves them as they are: a plain
   * straight-through estimator.
   */
  protected void shadowGradients(float[] gradients) {}

  /** Called after an update and before the shadow weights take it and are quantized again. */
  protected void levelsUpdated() {}

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
    requantize(null);
  }

  /** Assigns the starting shadow weights; subclasses call it last in their constructor. */
  protected final void start() {
    requantize(null);
  }

  @Override
  public final void quantize(float[] weights) {
    if (positions == null) {
      System.arraycopy(quantized, 0, weights, 0, quantized.length);
    } else {
      Arrays.fill(weights, 0f);
      for (int j = 0; j < positions.length; j++) {
        weights[positions[j]] = quantized[j];
      }
    }
  }

  @Override
  public final CompressedTensor tensor() {
    return pruned.withQuantization(quantization());
  }

  @Override
  public final void constrainGradient(float[] gradient) {
    if (positions == null) {
      shadowGradients(gradient);
      return;
    }
    if (changesGradients()) {
      shadowGradients(gather(gradient, gathered));
      scatter(gathered, gradient);
    }
    pruned.mask().zeroPruned(gradient);
  }

  @Override
  public final void constrainValues(float[] updated) {
    levelsUpdated();
    if (positions == null) {
      requantize(updated);
      return;
    }
    requantize(gather(updated, gathered));
    pruned.mask().zeroPruned(updated);
    scatter(gathered, updated);
  }

  @Override
  public final void constrainMomentum(float[] momentum) {
    if (positions != null) {
      pruned.mask().zeroPruned(momentum);
    }
  }

  private float[] gather(float[] tensor, float[] kept) {
    for (int j = 0; j < kept.length; j++) {
      kept[j] = tensor[positions[j]];
    }
    return kept;
  }

  private void scatter(float[] kept, float[] tensor) {
    for (int j = 0; j < kept.length; j++) {
      tensor[positions[j]] = kept[j];
    }
  }

  /**
   * Where each of {@code groups} groups starts among {@code positions} (ascending), and at the end
   * their number, for a grouping that never decreases along the positions (rows, or runs within
   * rows): each group's kept weights are then one run in kept order.
   */
  static int[] groupStarts(int[] positions, int groups, IntUnaryOperator groupOf) {
    int[] starts = new int[groups + 1];
    for (int p : positions) {
      starts[groupOf.applyAsInt(p) + 1]++;
    }
    for (int g = 0; g < groups; g++) {
      starts[g + 1] += starts[g];
    }
    return starts;
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
