package dev.deepcompress.training;

import dev.deepcompress.runtime.model.ParameterSpec;

/** A learnable tensor during training: its values and the gradient of the current batch. */
public final class Parameter {
  private final ParameterSpec spec;
  private final float[] values;
  private final float[] gradient;

  Parameter(ParameterSpec spec, float[] values) {
    if (values.length != spec.shape().elementCount()) {
      throw new IllegalArgumentException(
          spec.name() + ": " + values.length + " values for shape " + spec.shape());
    }
    this.spec = spec;
    this.values = values;
    this.gradient = new float[values.length];
  }

  public ParameterSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  /** Live values, updated in place by the optimizer. */
  public float[] values() {
    return values;
  }

  /** Gradient of the loss for the last backward pass. */
  public float[] gradient() {
    return gradient;
  }
}
