package dev.deepcompress.training;

import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.ParameterSpec;
import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with momentum and L2 weight decay, in Caffe's form. */
public final class Sgd {
  /** Elements per task of the update. */
  private static final int BLOCK = 1 << 14;

  private final List<Parameter> parameters;

  /** Each parameter's momentum: per element, or per group for {@link SharedValues}. */
  private final float[][] momentum;

  /** Per group for {@link SharedValues}, else null. */
  private final float[][] groupGradients;

  private final ParameterConstraint[] constraints;
  private final SolverConfig config;

  public Sgd(List<Parameter> parameters, SolverConfig config) {
    this(parameters, config, Map.of());
  }

  /**
   * @param constraints by parameter name; applied to the gradient before each update and to the
   *     values and momentum after it, or for {@link SharedValues} updated group by group
   */
  public Sgd(
      List<Parameter> parameters,
      SolverConfig config,
      Map<String, ParameterConstraint> constraints) {
    this.parameters = List.copyOf(parameters);
    this.config = config;
    this.momentum = new float[this.parameters.size()][];
    this.groupGradients = new float[this.parameters.size()][];
    this.constraints = new ParameterConstraint[this.parameters.size()];
    for (int i = 0; i < momentum.length; i++) {
      this.constraints[i] = constraints.get(this.parameters.get(i).name());
      if (this.constraints[i] instanceof SharedValues shared) {
        momentum[i] = new float[shared.groupValues().length];
        groupGradients[i] = new float[momentum[i].length];
      } else {
        momentum[i] = new float[this.parameters.get(i).values().length];
      }
    }
    for (String name : constraints.keySet()) {
      if (this.parameters.stream().noneMatch(p -> p.name().equals(name))) {
        throw new IllegalArgumentException("constraint for unknown parameter " + name);
      }
    }
  }

  public SolverConfig config() {
    return config;
  }

  List<Parameter> parameters() {
    return parameters;
  }

  /**
   * A copy of the momentum of each element of parameter {@code p} (in {@link #parameters()} order).
   */
  float[] momentum(int p) {
    if (constraints[p] instanceof SharedValues shared) {
      float[] elements = new float[parameters.get(p).values().length];
      shared.expand(momentum[p], elements);
      return elements;
    }
    return momentum[p].clone();
  }

  /** Sets the momentum of parameter {@code p}'s elements, as {@link #momentum(int)} gives it. */
  void restoreMomentum(int p, float[] elements) {
    if (constraints[p] instanceof SharedValues shared) {
      shared.reduce(elements, momentum[p]);
    } else {
      System.arraycopy(elements, 0, momentum[p], 0, momentum[p].length);
    }
  }

  /** The constraint of parameter {@code p}, or null. */
  ParameterConstraint constraint(int p) {
    return constraints[p];
  }

  /**
   * Applies one update from the current gradients, at the rate the schedule gives for {@code
   * iteration}.
   */
  public void step(long iteration) {
    double baseRate = config.schedule().rate(iteration);
    float mu = (float) config.momentum();
    float decay = (float) config.weightDecay();
    for (int p = 0; p < momentum.length; p++) {
      Parameter parameter = parameters.get(p);
      boolean bias = parameter.spec().role() == ParameterSpec.Role.BIAS;
      float rate = (float) (bias ? baseRate * config.biasLearningRateMultiplier() : baseRate);
      float[] w = parameter.values();
      float[] g = parameter.gradient();
      float[] v = momentum[p];
      ParameterConstraint constraint = constraints[p];
      if (constraint != null) {
        constraint.beforeUpdate(rate);
      }
      if (constraint instanceof SharedValues shared) {
        float[] groups = shared.groupValues();
        shared.groupGradients(g, groupGradients[p]);
        update(groups, groupGradients[p], v, 0, groups.length, mu, rate, decay);
        shared.groupsUpdated(v, w);
        continue;
      }
      if (constraint != null) {
        constraint.constrainGradient(g);
      }
      // Elementwise, so splitting it over threads cannot change the result.
      KernelThreads.parallelBlocks(
          w.length, BLOCK, (block, from, to) -> update(w, g, v, from, to, mu, rate, decay));
      if (constraint != null) {
        constraint.constrainValues(w);
        constraint.constrainMomentum(v);
      }
    }
  }

  /**
   * Caffe's update of values {@code w} with gradient {@code g} and momentum {@code v} on {@code
   * [from, to)}.
   */
  private static void update(
      float[] w, float[] g, float[] v, int from, int to, float mu, float rate, float decay) {
    for (int i = from; i < to; i++) {
      v[i] = mu * v[i] + rate * (g[i] + decay * w[i]);
      w[i] -= v[i];
    }
  }
}
