package dev.deepcompress.runtime.kernels;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;

/**
 * Average pooling of batches of [C, H, W] images (batch-major) with Caffe's windows, as {@link
 * LayerSpec.AveragePool} defines them: window (oy, ox) covers rows {@code oy·stride … min(oy·stride
 * + k, H) − 1} and likewise for columns, and its output is the sum of those elements divided by
 * their count.
 */
public final class AveragePool2d extends PoolWindows {
  private AveragePool2d(LayerSpec.AveragePool spec, Shape input, Shape output) {
    super(spec.kernelSize(), spec.stride(), input, output);
  }

  /**
   * The geometry of {@code spec} applied to {@code input}.
   *
   * @throws IllegalArgumentException if the layer does not accept the input
   */
  public static AveragePool2d of(LayerSpec.AveragePool spec, Shape input) {
    return new AveragePool2d(spec, input, spec.outputShape(input));
  }

  /** Pools {@code batch} images into {@code output}. */
  public void forward(float[] input, int batch, float[] output) {
    KernelThreads.parallelFor(batch * planes, plane -> forwardPlane(input, plane, output));
  }

  private void forwardPlane(float[] input, int plane, float[] output) {
    int base = plane * height * width;
    int out = plane * outHeight * outWidth;
    for (int oy = 0; oy < outHeight; oy++) {
      int y0 = oy * stride;
      int y1 = Math.min(y0 + kernel, height);
      for (int ox = 0; ox < outWidth; ox++, out++) {
        int x0 = ox * stride;
        int x1 = Math.min(x0 + kernel, width);
        float sum = 0f;
        for (int y = y0; y < y1; y++) {
          int row = base + y * width;
          for (int x = x0; x < x1; x++) {
            sum += input[row + x];
          }
        }
        output[out] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }

  /**
   * The backward pass of {@link #forward}: sets {@code inputGradient} (batch × input elements) to
   * the sum, over the windows covering each input, of the window's output gradient divided by the
   * window's element count.
   */
  public void backward(float[] outputGradient, int batch, float[] inputGradient) {
    // Windows lie within one plane, so planes are independent; within a plane the terms are added
    // in output order whatever the thread count.
    KernelThreads.parallelFor(
        batch * planes,
        plane -> {
          int base = plane * height * width;
          Arrays.fill(inputGradient, base, base + height * width, 0f);
          int out = plane * outHeight * outWidth;
          for (int oy = 0; oy < outHeight; oy++) {
            int y0 = oy * stride;
            int y1 = Math.min(y0 + kernel, height);
            for (int ox = 0; ox < outWidth; ox++, out++) {
              int x0 = ox * stride;
              int x1 = Math.min(x0 + kernel, width);
              float share = outputGradient[out] / ((y1 - y0) * (x1 - x0));
              for (int y = y0; y < y1; y++) {
                int row = base + y * width;
                for (int x = x0; x < x1; x++) {
                  inputGradient[row + x] += share;
                }
              }
            }
          }
        });
  }
}
