package dev.deepcompress.pruning;

import dev.deepcompress.compression.Mask;
import dev.deepcompress.training.ParameterConstraint;

/**
 * A mask enforced during retraining: it zeroes the pruned entries of the gradient, the weights and
 * the momentum, so a pruned weight stays exactly +0.0 however long the network is retrained.
 */
public record MaskConstraint(Mask mask) implements ParameterConstraint {
  @Override
  public void constrainGradient(float[] gradient) {
    mask.zeroPruned(gradient);
  }

  @Override
  public void constrainValues(float[] values) {
    mask.zeroPruned(values);
  }

  @Override
  public void constrainMomentum(float[] momentum) {
    mask.zeroPruned(momentum);
  }
}
