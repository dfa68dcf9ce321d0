package dev.deepcompress.training;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;

/**
 * A layer that can run forward on a batch and propagate gradients back. Activations are
 * batch-major: row {@code i} of a {@code batch × elements} array is sample {@code i}.
 */
public interface TrainableLayer {

  LayerSpec spec();

  Shape inputShape();

  Shape outputShape();

  /**
   * Computes the output for {@code batch} samples. The returned array may be reused by the next
   * call and must not be modified by the caller; the layer keeps what {@link #backward} needs.
   */
  float[] forward(float[] input, int batch);

  /**
   * Given the loss gradient with respect to the last forward output, stores the parameter gradients
   * and returns the gradient with respect to the input (null when {@code needInputGradient} is
   * false, which saves the work for the first layer).
   */
  float[] backward(float[] outputGradient, int batch, boolean needInputGradient);

  default List<Parameter> parameters() {
    return List.of();
  }
}
