package dev.deepcompress.pruning;

import dev.deepcompress.training.ParameterConstraint;
import java.util.BitSet;

/**
 * Which weights of one tensor survive. As a training constraint it zeroes the pruned entries of the
 * gradient, the weights and the momentum, so a pruned weight stays exactly 0.0 however long the
 * network is retrained.
 */
public final class PruningMask implements ParameterConstraint {
  private final int size;
  private final BitSet kept;

  private PruningMask(int size, BitSet kept) {
    this.size = size;
    this.kept = kept;
  }

  /** Everything kept. */
  public static PruningMask dense(int size) {
    BitSet kept = new BitSet(size);
    kept.set(0, size);
    return new PruningMask(size, kept);
  }

  /**
   * Keeps the entries of {@code weights} whose magnitude is above {@code threshold} and that this
   * mask keeps already: pruning only ever removes.
   */
  public PruningMask narrowedTo(float[] weights, double threshold) {
    requireSize(weights);
    BitSet next = new BitSet(size);
    for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
      if (Math.abs(weights[i]) > threshold) {
        next.set(i);
      }
    }
    return new PruningMask(size, next);
  }

  public int size() {
    return size;
  }

  public boolean isKept(int index) {
    return kept.get(index);
  }

  public int keptCount() {
    return kept.cardinality();
  }

  public double keptFraction() {
    return (double) keptCount() / size;
  }

  /** Zeroes every pruned entry of {@code values}. */
  public void apply(float[] values) {
    requireSize(values);
    for (int i = kept.nextClearBit(0); i < size; i = kept.nextClearBit(i + 1)) {
      values[i] = 0f;
    }
  }

  @Override
  public void constrainGradient(float[] gradient) {
    apply(gradient);
  }

  @Override
  public void constrainValues(float[] values) {
    apply(values);
  }

  @Override
  public void constrainMomentum(float[] momentum) {
    apply(momentum);
  }

  private void requireSize(float[] values) {
    if (values.length != size) {
      throw new IllegalArgumentException(
          "mask of " + size + " entries applied to a tensor of " + values.length);
    }
  }
}
