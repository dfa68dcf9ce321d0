package dev.deepcompress.runtime.kernels;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;

/**
 * Max pooling of batches of [C, H, W] images (batch-major) with Caffe's windows, as {@link
 * LayerSpec.MaxPool} defines them: window (oy, ox) covers rows {@code oy·stride … min(oy·stride +
 * k, H) − 1} and likewise for columns; the first maximum in row-major order wins. (Caffe starts
 * each window's search from −FLT_MAX, so it differs only for windows of −∞ or NaN values.)
 */
public final class MaxPool2d extends PoolWindows {
  private MaxPool2d(LayerSpec.MaxPool spec, Shape input, Shape output) {
    super(spec.kernelSize(), spec.stride(), input, output);
  }

  /**
   * The geometry of {@code spec} applied to {@code input}.
   *
   * @throws IllegalArgumentException if the layer does not accept the input
   */
  public static MaxPool2d of(LayerSpec.MaxPool spec, Shape input) {
    return new MaxPool2d(spec, input, spec.outputShape(input));
  }

  /**
   * Pools {@code batch} images into {@code output}. If {@code argmax} is not null, it receives for
   * each output element the index in {@code input} of the element chosen (for the backward pass).
   * Which element a window containing NaN yields is unspecified.
   */
  public void forward(float[] input, int batch, float[] output, int[] argmax) {
    KernelThreads.parallelFor(batch * planes, plane -> forwardPlane(input, plane, output, argmax));
  }

  private void forwardPlane(float[] input, int plane, float[] output, int[] argmax) {
    int base = plane * height * width;
    int out = plane * outHeight * outWidth;
    for (int oy = 0; oy < outHeight; oy++) {
      int y0 = oy * stride;
      int y1 = y0 + Math.min(kernel, height - y0);
      for (int ox = 0; ox < outWidth; ox++, out++) {
        int x0 = ox * stride;
        int x1 = x0 + Math.min(kernel, width - x0);
        int best = base + y0 * width + x0;
        if (kernel == 2 && y1 - y0 == 2 && x1 - x0 == 2) {
          best = firstMaximumOf2x2(input, best);
        } else {
          best = firstMaximum(input, base, best, y0, y1, x0, x1);
        }
        output[out] = input[best];
        if (argmax != null) {
          argmax[out] = best;
        }
      }
    }
  }

  /** The index of the first maximum of the window rows y0…y1−1, columns x0…x1−1 of a plane. */
  private int firstMaximum(float[] input, int base, int best, int y0, int y1, int x0, int x1) {
    int top = orderKey(input[best]);
    for (int y = y0; y < y1; y++) {
      int row = base + y * width;
      for (int x = x0; x < x1; x++) {
        // Without a branch: which element is larger is data-dependent, so a branch here
        // mispredicts about as often as not and costs more than all the arithmetic.
        int key = orderKey(input[row + x]);
        int greater = (int) (((long) top - key) >> 63);
        top += (key - top) & greater;
        best += (row + x - best) & greater;
      }
    }
    return best;
  }

  /**
   * {@link #firstMaximum} of the 2×2 window at {@code corner}, unrolled: LeNet's pooling, where the
   * loop bookkeeping costs more than the comparisons.
   */
  private int firstMaximumOf2x2(float[] input, int corner) {
    int best = corner;
    int top = orderKey(input[corner]);
    int at = corner + 1;
    int key = orderKey(input[at]);
    int greater = (int) (((long) top - key) >> 63);
    top += (key - top) & greater;
    best += (at - best) & greater;
    at = corner + width;
    key = orderKey(input[at]);
    greater = (int) (((long) top - key) >> 63);
    top += (key - top) & greater;
    best += (at - best) & greater;
    at = corner + width + 1;
    key = orderKey(input[at]);
    greater = (int) (((long) top - key) >> 63);
    best += (at - best) & greater;
    return best;
  }

  /**
   * The backward pass of {@link #forward}: sets {@code inputGradient} (batch × input elements) to
   * the sum of {@code outputGradient} over the outputs whose {@code argmax} chose each input.
   */
  public void backward(float[] outputGradient, int[] argmax, int batch, float[] inputGradient) {
    int planeIn = height * width;
    int planeOut = outHeight * outWidth;
    // Windows lie within one plane, so planes are independent; within a plane the terms are added
    // in output order whatever the thread count.
    KernelThreads.parallelFor(
        batch * planes,
        plane -> {
          Arrays.fill(inputGradient, plane * planeIn, (plane + 1) * planeIn, 0f);
          for (int i = plane * planeOut; i < (plane + 1) * planeOut; i++) {
            inputGradient[argmax[i]] += outputGradient[i];
          }
        });
  }

  /**
   * An int that orders like the float (for non-NaN values), with −0 and +0 equal so that the first
   * of them wins, as with a float comparison.
   */
  private static int orderKey(float value) {
    int bits = Float.floatToRawIntBits(value + 0f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }
}
