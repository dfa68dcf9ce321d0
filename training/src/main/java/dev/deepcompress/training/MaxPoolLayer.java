package dev.deepcompress.training;

import dev.deepcompress.runtime.kernels.MaxPool2d;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;

/**
 * Caffe's max pooling ({@link LayerSpec.MaxPool}); forward records which input each output took,
 * and backward routes each output's gradient there (summing where windows overlap).
 */
final class MaxPoolLayer implements TrainableLayer {
  private final LayerSpec.MaxPool spec;
  private final Shape inputShape;
  private final Shape outputShape;
  private final MaxPool2d pool;
  private float[] output;
  private int[] argmax;
  private float[] inputGradient;

  MaxPoolLayer(LayerSpec.MaxPool spec, Shape inputShape) {
    this.spec = spec;
    this.inputShape = inputShape;
    this.outputShape = spec.outputShape(inputShape);
    this.pool = MaxPool2d.of(spec, inputShape);
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
    int n = batch * outputShape.elementCount();
    output = BatchBuffers.ensure(output, n);
    argmax = BatchBuffers.ensure(argmax, n);
    pool.forward(x, batch, output, argmax);
    return output;
  }

  @Override
  public float[] backward(float[] dy, int batch, boolean needInputGradient) {
    if (!needInputGradient) {
      return null;
    }
    inputGradient = BatchBuffers.ensure(inputGradient, batch * inputShape.elementCount());
    pool.backward(dy, argmax, batch, inputGradient);
    return inputGradient;
  }
}
