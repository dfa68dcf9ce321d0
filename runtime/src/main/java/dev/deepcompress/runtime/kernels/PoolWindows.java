package dev.deepcompress.runtime.kernels;

import dev.deepcompress.runtime.model.Shape;

/**
 * Caffe's pooling windows over batches of [C, H, W] images, shared by {@link MaxPool2d} and {@link
 * AveragePool2d}: window (oy, ox) covers rows {@code oy·stride … min(oy·stride + kernel, height) −
 * 1} and likewise for columns.
 */
abstract sealed class PoolWindows permits MaxPool2d, AveragePool2d {
  final int planes;
  final int height;
  final int width;
  final int kernel;
  final int stride;
  final int outHeight;
  final int outWidth;

  PoolWindows(int kernel, int stride, Shape input, Shape output) {
    planes = input.dim(0);
    height = input.dim(1);
    width = input.dim(2);
    this.kernel = kernel;
    this.stride = stride;
    outHeight = output.dim(1);
    outWidth = output.dim(2);
  }
}
