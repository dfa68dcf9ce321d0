package dev.deepcompress.training;

import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;

/** {@code y = x·Wᵀ + b} for a batch, with W stored [outputs, inputs] row-major. */
final class FullyConnectedLayer implements TrainableLayer {
  private final LayerSpec.FullyConnected spec;
  private final Shape inputShape;
  private final Parameter weight;
  private final Parameter bias;
  private float[] input;
  private float[] output;
  private float[] inputGradient;

  FullyConnectedLayer(
      LayerSpec.FullyConnected spec, Shape inputShape, Parameter weight, Parameter bias) {
    this.spec = spec;
    this.inputShape = inputShape;
    this.weight = weight;
    this.bias = bias;
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
    return Shape.of(spec.outputs());
  }

  @Override
  public float[] forward(float[] x, int batch) {
    int in = spec.inputs();
    int out = spec.outputs();
    input = x;
    output = BatchBuffers.ensure(output, batch * out);
    float[] b = bias.values();
    for (int i = 0; i < batch; i++) {
      System.arraycopy(b, 0, output, i * out, out);
    }
    Gemm.sgemm(false, true, batch, out, in, x, 0, in, weight.values(), 0, in, 1f, output, 0, out);
    return output;
  }

  @Override
  public float[] backward(float[] dy, int batch, boolean needInputGradient) {
    int in = spec.inputs();
    int out = spec.outputs();
    // dW = dYᵀ·X
    Gemm.sgemm(true, false, out, in, batch, dy, 0, out, input, 0, in, 0f, weight.gradient(), 0, in);
    float[] db = bias.gradient();
    java.util.Arrays.fill(db, 0f);
    for (int i = 0; i < batch; i++) {
      int row = i * out;
      for (int j = 0; j < out; j++) {
        db[j] += dy[row + j];
      }
    }
    if (!needInputGradient) {
      return null;
    }
    // dX = dY·W
    inputGradient = BatchBuffers.ensure(inputGradient, batch * in);
    Gemm.sgemm(
        false, false, batch, in, out, dy, 0, out, weight.values(), 0, in, 0f, inputGradient, 0, in);
    return inputGradient;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }
}
