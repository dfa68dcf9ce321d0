package dev.deepcompress.training;

import dev.deepcompress.runtime.kernels.AveragePool2d;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;

/**
 * Caffe's average pooling ({@link LayerSpec.AveragePool}); backward spreads each output's gradient
 * evenly over its window (summing where windows overlap).
 */
final class AveragePoolLayer implements TrainableLayer {
  private final LayerSpec.AveragePool spec;
  private final Shape inputShape;
  private final Shape outputShape;
  private final AveragePool2d pool;
  private float[] output;
  private float[] inputGradient;

  AveragePoolLayer(LayerSpec.AveragePool spec, Shape inputShape) {
    this.spec = spec;
    this.inputShape = inputShape;
    this.outputShape = spec.outputShape(inputShape);
    this.pool = AveragePool2d.of(spec, inputShape);
  }

  @Override
  public LayerSpec spec() {
    return spec;
  }

  @Override
  public Shape inputShape() {
    return inputShape;
  }

  @Override
  public Shape outputShape() {
    return outputShape;
  }

  @Override
  public float[] forward(float[] x, int batch) {
    output = BatchBuffers.ensure(output, batch * outputShape.elementCount());
    pool.forward(x, batch, output);
    return output;
  }

  @Override
  public float[] backward(float[] dy, int batch, boolean needInputGradient) {
    if (!needInputGradient) {
      return null;
    }
    inputGradient = BatchBuffers.ensure(inputGradient, batch * inputShape.elementCount());
    pool.backward(dy, batch, inputGradient);
    return inputGradient;
  }
}
