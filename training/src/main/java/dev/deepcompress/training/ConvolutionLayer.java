package dev.deepcompress.training;

import dev.deepcompress.runtime.kernels.Conv2d;
import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Convolution as im2col and GEMM, a chunk of images per GEMM ({@link Conv2d}). With the columns
 * C[C·k·k, n·P] and the output gradient as dY[O, n·P]: dW = dY·Cᵀ, db = row sums of dY, and the
 * input gradient is col2im(Wᵀ·dY).
 *
 * <p>When the batch fits one chunk (the training case) backward reuses the columns forward built,
 * then overwrites them with Wᵀ·dY; larger batches rebuild each chunk's columns.
 */
final class ConvolutionLayer implements TrainableLayer {
  private final LayerSpec.Convolution spec;
  private final Shape inputShape;
  private final Shape outputShape;
  private final Conv2d conv;
  private final Parameter weight;
  private final Parameter bias;
  private float[] input;
  private float[] output;
  private float[] columns;
  private float[] product;
  private float[] inputGradient;

  ConvolutionLayer(LayerSpec.Convolution spec, Shape inputShape, Parameter weight, Parameter bias) {
    this.spec = spec;
    this.inputShape = inputShape;
    this.outputShape = spec.outputShape(inputShape);
    this.conv = Conv2d.of(spec, inputShape);
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
    return outputShape;
  }

  @Override
  public float[] forward(float[] x, int batch) {
    input = x;
    int chunk = Math.min(batch, conv.imagesPerChunk());
    output = BatchBuffers.ensure(output, batch * outputShape.elementCount());
    columns = BatchBuffers.ensure(columns, conv.columnsLength(chunk));
    product = BatchBuffers.ensure(product, conv.productLength(chunk));
    conv.forward(x, batch, weight.values(), bias.values(), output, columns, product);
    return output;
  }

  @Override
  public float[] backward(float[] dy, int batch, boolean needInputGradient) {
    int outChannels = spec.outputChannels();
    int patch = conv.patchSize();
    int perChunk = conv.imagesPerChunk();
    float[] db = bias.gradient();
    Arrays.fill(db, 0f);
    if (needInputGradient) {
      inputGradient = BatchBuffers.ensure(inputGradient, batch * inputShape.elementCount());
    }
    for (int first = 0; first < batch; first += perChunk) {
      int images = Math.min(perChunk, batch - first);
      int n = images * conv.outputPixels();
      if (batch > perChunk) {
        conv.im2col(input, first, images, columns);
      }
      conv.toChannelRows(dy, first, images, product);
      KernelThreads.parallelFor(
          outChannels,
          o -> {
            float sum = 0f;
            for (int i = o * n; i < (o + 1) * n; i++) {
              sum += product[i];
            }
            db[o] += sum;
          });
      Gemm.sgemm(
          false,
          true,
          outChannels,
          patch,
          n,
          product,
          0,
          n,
          columns,
          0,
          n,
          first == 0 ? 0f : 1f,
          weight.gradient(),
          0,
          patch);
      if (needInputGradient) {
        Gemm.sgemm(
            true,
            false,
            patch,
            n,
            outChannels,
            weight.values(),
            0,
            patch,
            product,
            0,
            n,
            0f,
            columns,
            0,
            n);
        conv.col2im(columns, first, images, inputGradient);
      }
    }
    return needInputGradient ? inputGradient : null;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }
}
