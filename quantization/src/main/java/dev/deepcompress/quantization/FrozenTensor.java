package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.training.ParameterConstraint;
import java.util.Arrays;

/**
 * A tensor quantized after training, held fixed while other layers retrain: no gradient, no
 * momentum, and its values restored after every update (weight decay would move them otherwise).
 */
final class FrozenTensor implements ParameterConstraint {
  private final float[] values;

  FrozenTensor(CompressedTensor tensor) {
    this.values = tensor.dequantized();
  }

  @Override
  public void constrainGradient(float[] gradient) {
    Arrays.fill(gradient, 0f);
  }

  @Override
  public void constrainValues(float[] current) {
    System.arraycopy(values, 0, current, 0, values.length);
  }

  @Override
  public void constrainMomentum(float[] momentum) {
    Arrays.fill(momentum, 0f);
  }
}
