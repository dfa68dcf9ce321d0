package dev.deepcompress.training;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;

/** Elementwise max(0, x); the gradient passes where the output is positive. */
final class ReluLayer implements TrainableLayer {
  private final LayerSpec.Relu spec;
  private final Shape shape;
  private float[] output;
  private float[] inputGradient;

  ReluLayer(LayerSpec.Relu spec, Shape shape) {
    this.spec = spec;
    this.shape = shape;
  }

  @Override
  public LayerSpec spec() {
    return spec;
  }

  @Override
  public Shape inputShape() {
    return shape;
  }

  @Override
  public Shape outputShape() {
    return shape;
  }

  @Override
  public float[] forward(float[] x, int batch) {
    int n = batch * shape.elementCount();
    output = BatchBuffers.ensure(output, n);
    for (int i = 0; i < n; i++) {
      output[i] = Math.max(x[i], 0f);
    }
    return output;
  }

  @Override
  public float[] backward(float[] dy, int batch, boolean needInputGradient) {
    if (!needInputGradient) {
      return null;
    }
    int n = batch * shape.elementCount();
    inputGradient = BatchBuffers.ensure(inputGradient, n);
    for (int i = 0; i < n; i++) {
      inputGradient[i] = output[i] > 0f ? dy[i] : 0f;
    }
    return inputGradient;
  }
}
