package dev.deepcompress.runtime.kernels;

import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * A convolution layer's geometry over batches of [C, H, W] images (batch-major, NCHW), and the
 * im2col kernels that turn it into one GEMM per chunk of images.
 *
 * <p>The column matrix of a chunk of {@code n} images is [C·k·k, n·P] row-major, P being the output
 * pixels per image: row {@code (c·k + ki)·k + kj}, column {@code image·P + oy·outW + ox} holds the
 * input pixel that kernel tap (c, ki, kj) meets at output position (oy, ox), or 0 in the padding.
 * Then {@code W[O, C·k·k] · columns} is the output as [O, n·P], which {@link #forward} scatters to
 * [n, O, P] while adding the bias. A whole chunk in one GEMM gives it a wide n dimension to split
 * over threads; per-image GEMMs would be too small for LeNet-sized layers.
 *
 * <p>Chunks are bounded by {@link #imagesPerChunk()} so that scratch memory stays small whatever
 * the batch size.
 */
public final class Conv2d {
  /** Floats of a column or product matrix per chunk: 16 MiB. */
  private static final int CHUNK_BUDGET = 1 << 22;

  private final int channels;
  private final int height;
  private final int width;
  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final int outHeight;
  private final int outWidth;
  private final int patch;
  private final int pixels;
  private final int imagesPerChunk;

  private Conv2d(LayerSpec.Convolution spec, Shape input, Shape output) {
    channels = input.dim(0);
    height = input.dim(1);
    width = input.dim(2);
    outChannels = spec.outputChannels();
    kernel = spec.kernelSize();
    stride = spec.stride();
    padding = spec.padding();
    outHeight = output.dim(1);
    outWidth = output.dim(2);
    long patchLong = (long) channels * kernel * kernel;
    long perImage = Math.max(patchLong, outChannels) * outHeight * outWidth;
    if (perImage > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "layer "
              + spec.name()
              + ": the column matrix of one image ("
              + patchLong
              + " × "
              + (long) outHeight * outWidth
              + ") would exceed one array");
    }
    patch = (int) patchLong;
    pixels = outHeight * outWidth;
    imagesPerChunk = (int) Math.max(1, CHUNK_BUDGET / perImage);
  }

  /**
   * The geometry of {@code spec} applied to {@code input}.
   *
   * @throws IllegalArgumentException if the layer does not accept the input, or one image's column
   *     matrix would not fit in an array
   */
  public static Conv2d of(LayerSpec.Convolution spec, Shape input) {
    return new Conv2d(spec, input, spec.outputShape(input));
  }

  /** Rows of the column matrix: C·k·k, the weights per output channel. */
  public int patchSize() {
    return patch;
  }

  /** Output pixels per image and channel. */
  public int outputPixels() {
    return pixels;
  }

  /** Most images handled in one chunk (at least 1). */
  public int imagesPerChunk() {
    return imagesPerChunk;
  }

  /** Length of the column matrix of {@code images} images. */
  public int columnsLength(int images) {
    return patch * images * pixels;
  }

  /** Length of the [O, images·P] product matrix. */
  public int productLength(int images) {
    return outChannels * images * pixels;
  }

  /**
   * {@code output[n][o][p] = bias[o] + Σ_r weight[o][r]·columns[r][n·P + p]} for {@code batch}
   * images, a chunk at a time. On return {@code columns} holds the last chunk's column matrix (the
   * whole batch's when {@code batch ≤ imagesPerChunk()}).
   *
   * @param weight [O, C·k·k] row-major
   * @param columns at least {@code columnsLength(min(batch, imagesPerChunk()))} floats of scratch
   * @param product at least {@code productLength(min(batch, imagesPerChunk()))} floats of scratch
   */
  public void forward(
      float[] input,
      int batch,
      float[] weight,
      float[] bias,
      float[] output,
      float[] columns,
      float[] product) {
    forward(
        input,
        batch,
        bias,
        output,
        columns,
        product,
        n ->
            Gemm.sgemm(
                false,
                false,
                outChannels,
                n,
                patch,
                weight,
                0,
                patch,
                columns,
                0,
                n,
                0f,
                product,
                0,
                n));
  }

  /**
   * {@link #forward(float[], int, float[], float[], float[], float[], float[])} with the weight in
   * compressed form: each chunk's product is {@link QuantizedSparseMatrix#multiplyDense} on the
   * column matrix.
   *
   * @param weight O rows × C·k·k columns
   * @throws IllegalArgumentException if the weight's shape is not [O, C·k·k]
   */
  public void forward(
      float[] input,
      int batch,
      QuantizedSparseMatrix weight,
      float[] bias,
      float[] output,
      float[] columns,
      float[] product) {
    if (weight.rows() != outChannels || weight.columns() != patch) {
      throw new IllegalArgumentException(
          "convolution weight of "
              + weight.rows()
              + "×"
              + weight.columns()
              + " does not match "
              + outChannels
              + " output channels × "
              + patch
              + " taps");
    }
    forward(
        input,
        batch,
        bias,
        output,
        columns,
        product,
        n -> weight.multiplyDense(columns, n, product));
  }

  /** The chunk loop: im2col, {@code multiply} (columns → product, given n), then the scatter. */
  private void forward(
      float[] input,
      int batch,
      float[] bias,
      float[] output,
      float[] columns,
      float[] product,
      IntConsumer multiply) {
    for (int first = 0; first < batch; first += imagesPerChunk) {
      int images = Math.min(imagesPerChunk, batch - first);
      im2col(input, first, images, columns);
      multiply.accept(images * pixels);
      fromChannelRows(product, bias, first, images, output);
    }
  }

  /**
   * Writes the column matrix of images {@code first … first + images − 1} of {@code input} to
   * {@code columns}.
   */
  public void im2col(float[] input, int first, int images, float[] columns) {
    // A task per row of the column matrix, so that each is written sequentially.
    KernelThreads.parallelFor(patch, row -> im2colRow(input, first, images, columns, row));
  }

  private void im2colRow(float[] input, int first, int images, float[] columns, int row) {
    int plane = height * width;
    int c = row / (kernel * kernel);
    int ki = row / kernel % kernel;
    int kj = row % kernel;
    int xLo = firstInside(kj);
    int xHi = Math.max(xLo, endInside(kj));
    int dst = row * images * pixels;
    for (int image = first; image < first + images; image++) {
      int planeStart = (image * channels + c) * plane;
      for (int oy = 0; oy < outHeight; oy++, dst += outWidth) {
        long iy = (long) oy * stride - padding + ki;
        if (iy < 0 || iy >= height || xLo == xHi) {
          Arrays.fill(columns, dst, dst + outWidth, 0f);
          continue;
        }
        Arrays.fill(columns, dst, dst + xLo, 0f);
        int src = planeStart + (int) iy * width + (int) ((long) xLo * stride - padding + kj);
        if (stride == 1) {
          System.arraycopy(input, src, columns, dst + xLo, xHi - xLo);
        } else {
          for (int ox = xLo; ox < xHi; ox++, src += stride) {
            columns[dst + ox] = input[src];
          }
        }
        Arrays.fill(columns, dst + xHi, dst + outWidth, 0f);
      }
    }
  }

  /**
   * The adjoint of {@link #im2col}: sets the gradient of images {@code first … first + images − 1}
   * in {@code inputGradient} to the sum, over every place each pixel was copied to, of the
   * corresponding entry of {@code columns} (padding entries are dropped).
   */
  public void col2im(float[] columns, int first, int images, float[] inputGradient) {
    // A task per image: images' gradients are disjoint, and each pixel still receives its terms in
    // the same order (tap by tap, then output row), so the sums do not depend on the thread count.
    KernelThreads.parallelFor(
        images, image -> col2imImage(columns, first, images, image, inputGradient));
  }

  private void col2imImage(
      float[] columns, int first, int images, int image, float[] inputGradient) {
    int plane = height * width;
    int imageStart = (first + image) * channels * plane;
    Arrays.fill(inputGradient, imageStart, imageStart + channels * plane, 0f);
    for (int c = 0; c < channels; c++) {
      int planeStart = imageStart + c * plane;
      for (int ki = 0; ki < kernel; ki++) {
        for (int kj = 0; kj < kernel; kj++) {
          int xLo = firstInside(kj);
          int xHi = Math.max(xLo, endInside(kj));
          int src = (((c * kernel + ki) * kernel + kj) * images + image) * pixels;
          for (int oy = 0; oy < outHeight; oy++, src += outWidth) {
            long iy = (long) oy * stride - padding + ki;
            if (iy < 0 || iy >= height) {
              continue;
            }
            int dst = planeStart + (int) iy * width + (int) ((long) xLo * stride - padding + kj);
            if (stride == 1) {
              int from = src + xLo;
              for (int t = 0; t < xHi - xLo; t++) {
                inputGradient[dst + t] += columns[from + t];
              }
            } else {
              for (int ox = xLo; ox < xHi; ox++, dst += stride) {
                inputGradient[dst] += columns[src + ox];
              }
            }
          }
        }
      }
    }
  }

  /**
   * Gathers images {@code first … first + images − 1} of a batch-major [n, O, P] array into the [O,
   * images·P] layout of the product matrix (the inverse of the scatter in {@link #forward}).
   */
  public void toChannelRows(float[] batchMajor, int first, int images, float[] rows) {
    int ld = images * pixels;
    KernelThreads.parallelFor(
        images,
        image -> {
          int src = (first + image) * outChannels * pixels;
          for (int o = 0; o < outChannels; o++, src += pixels) {
            System.arraycopy(batchMajor, src, rows, o * ld + image * pixels, pixels);
          }
        });
  }

  private void fromChannelRows(
      float[] rows, float[] bias, int first, int images, float[] batchMajor) {
    int ld = images * pixels;
    KernelThreads.parallelFor(
        images,
        image -> {
          int dst = (first + image) * outChannels * pixels;
          for (int o = 0; o < outChannels; o++, dst += pixels) {
            int src = o * ld + image * pixels;
            float b = bias[o];
            for (int p = 0; p < pixels; p++) {
              batchMajor[dst + p] = rows[src + p] + b;
            }
          }
        });
  }

  /** First output column whose input column {@code ox·stride − padding + kj} is ≥ 0. */
  private int firstInside(int kj) {
    return (int) Math.min(outWidth, Math.max(0, Math.ceilDiv((long) padding - kj, stride)));
  }

  /** One past the last output column whose input column is < width. */
  private int endInside(int kj) {
    return (int) Math.min(outWidth, Math.max(0, Math.ceilDiv((long) width + padding - kj, stride)));
  }
}
