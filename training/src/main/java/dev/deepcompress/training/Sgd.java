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
  private final float[][] momentum;
  private final ParameterConstraint[] constraints;
  private final SolverConfig config;

  public Sgd(List<Parameter> parameters, SolverConfig config) {
    this(parameters, config, Map.of());
  }

  /**
   * @param constraints by parameter name; applied to the gradient before each update and to the
   *     values and momentum after it
   */
  public Sgd(
      List<Parameter> parameters,
      SolverConfig config,
      Map<String, ParameterConstraint> constraints) {
    this.parameters = List.copyOf(parameters);
    this.config = config;
    this.momentum = new float[this.parameters.size()][];
    this.constraints = new ParameterConstraint[this.parameters.size()];
    for (int i = 0; i < momentum.length; i++) {
      momentum[i] = new float[this.parameters.get(i).values().length];
      this.constraints[i] = constraints.get(this.parameters.get(i).name());
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

  /** The live momentum of parameter {@code p} (in {@link #parameters()} order). */
  float[] momentum(int p) {
    return momentum[p];
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
        constraint.constrainGradient(g);
      }
      // Elementwise, so splitting it over threads cannot change the result.
      KernelThreads.parallelFor(
          Math.ceilDiv(w.length, BLOCK),
          block -> {
            for (int i = block * BLOCK; i < Math.min(w.length, (block + 1) * BLOCK); i++) {
              v[i] = mu * v[i] + rate * (g[i] + decay * w[i]);
              w[i] -= v[i];
            }
          });
      if (constraint != null) {
        constraint.constrainValues(w);
        constraint.constrainMomentum(v);
      }
    }
  }
}
