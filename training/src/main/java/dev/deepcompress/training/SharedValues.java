package dev.deepcompress.training;

/**
 * A constraint that ties a parameter's elements into groups whose members share one value (weight
 * sharing: a group is a cluster, its value the centroid). {@link Sgd} then keeps one value, one
 * gradient and one momentum per group and updates those as it would update elements; the elements'
 * values are written from their groups after each step, since the forward pass reads them, and
 * their momentum only when a trainer's state is taken. Members are alike by construction, and a
 * step costs one pass over the gradient and one over the values instead of the optimizer's pass and
 * the constraint's passes over every element.
 *
 * <p>The member-wise hooks of {@link ParameterConstraint} stay the contract for an optimizer that
 * knows nothing of groups: from members that hold their groups' values and momentum, both ways end
 * in the same bits, since a group's value and momentum are the members' means and n equal floats
 * have that float as their mean ({@code +0.0} for {@code −0.0}, which {@link #groupsUpdated}
 * mirrors).
 */
public interface SharedValues extends ParameterConstraint {

  /**
   * The groups' values, in a fixed order of the groups: the live array, which the optimizer updates
   * in place. Every group has at least one member.
   */
  float[] groupValues();

  /**
   * Each group's gradient, from the gradient at every element (which stays as it is), into {@code
   * groupGradients}.
   */
  void groupGradients(float[] gradient, float[] groupGradients);

  /**
   * Called after the optimizer moved {@link #groupValues} and {@code groupMomentum}: turns a {@code
   * −0.0} in either into {@code +0.0}, as the members' mean would, and writes every element's value
   * into {@code values}.
   */
  void groupsUpdated(float[] groupMomentum, float[] values);

  /** Writes each element's group's entry of {@code perGroup} into {@code tensor}. */
  void expand(float[] perGroup, float[] tensor);

  /** Each group's entry of {@code perGroup}: the mean of its members in {@code tensor}. */
  void reduce(float[] tensor, float[] perGroup);
}
