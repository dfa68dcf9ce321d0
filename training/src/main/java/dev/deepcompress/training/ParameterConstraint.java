package dev.deepcompress.training;

import java.util.List;

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

  /**
   * What this constraint has learned beside the parameter's values (a codebook's centroids, shadow
   * weights), as copies in a fixed order, so that a run can be saved and continued exactly: a
   * constraint built again from the same inputs and given these by {@link #restoreLearned} behaves
   * as this one from here on. A mask learns nothing: an empty list.
   */
  default List<float[]> learned() {
    return List.of();
  }

  /**
   * Puts what {@link #learned} gave, for an identical constraint, into this one.
   *
   * @throws IllegalArgumentException if the arrays are not of this constraint's number and sizes
   */
  default void restoreLearned(List<float[]> learned) {
    if (!learned.isEmpty()) {
      throw new IllegalArgumentException(
          "this constraint learns nothing of its own, got " + learned.size() + " arrays");
    }
  }
}
