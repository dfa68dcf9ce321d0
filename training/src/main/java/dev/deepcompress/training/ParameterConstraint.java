package dev.deepcompress.training;

/**
 * The one hook through which compression stages act on training: pruning keeps masked weights at
 * zero, weight sharing ties weights to their centroid. The trainer itself stays unaware of both.
 */
public interface ParameterConstraint {

  /**
   * Told before each update, with the learning rate this parameter's update uses, for constraints
   * that train values of their own beside the parameter (a ternary quantizer's two scales).
   */
  default void beforeUpdate(double rate) {}

  /** Rewrites the gradient before the optimizer uses it. */
  void constrainGradient(float[] gradient);

  /** Restores the invariant on the values after each update. */
  void constrainValues(float[] values);

  /** Restores the invariant on the optimizer's momentum after each update. */
  default void constrainMomentum(float[] momentum) {}
}
