package dev.deepcompress.training;

/**
 * The one hook through which compression stages act on training: pruning keeps masked weights at
 * zero, weight sharing ties weights to their centroid. The trainer itself stays unaware of both.
 */
public interface ParameterConstraint {

  /** Rewrites the gradient before the optimizer uses it. */
  void constrainGradient(float[] gradient);

  /** Restores the invariant on the values after each update. */
  void constrainValues(float[] values);

  /** Restores the invariant on the optimizer's momentum after each update. */
  default void constrainMomentum(float[] momentum) {}
}
