package dev.deepcompress.runtime.inference;

import dev.deepcompress.runtime.kernels.Conv2d;
import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.kernels.MaxPool2d;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A model ready to run: one step per layer of its architecture, applied to a batch of inputs laid
 * out row by row. A fully connected layer whose weight is sparse-quantized runs on the compressed
 * form (sparse rows of codebook indices); dense weights go through GEMM, and so do convolutions
 * (im2col), whose sparse-quantized weights are decoded to dense once, when the network is built.
 * Shares the model's dense arrays (no copy), so they must not be changed while the network is in
 * use. Safe for concurrent use: each call allocates its own activations.
 */
public final class InferenceNetwork {
  private final List<Step> steps;
  private final int inputSize;
  private final int outputSize;
  private final int widestRow;

  private InferenceNetwork(List<Step> steps, Architecture architecture) {
    this.steps = steps;
    this.inputSize = architecture.inputShape().elementCount();
    this.outputSize = architecture.outputShape().elementCount();
    int widest = outputSize;
    for (Shape shape : architecture.layerInputShapes()) {
      widest = Math.max(widest, shape.elementCount());
    }
    this.widestRow = widest;
  }

  public static InferenceNetwork of(Model model) {
    Architecture architecture = model.architecture();
    List<Step> steps = new ArrayList<>();
    List<Shape> inputShapes = architecture.layerInputShapes();
    for (int i = 0; i < inputShapes.size(); i++) {
      Shape input = inputShapes.get(i);
      steps.add(
          switch (architecture.layers().get(i)) {
            case LayerSpec.FullyConnected fc -> fullyConnected(fc, model);
            case LayerSpec.Convolution conv ->
                new Convolution(
                    Conv2d.of(conv, input),
                    conv.outputShape(input).elementCount(),
                    model.parameter(conv.weightName()),
                    model.parameter(conv.biasName()));
            case LayerSpec.MaxPool pool ->
                new MaxPool(MaxPool2d.of(pool, input), pool.outputShape(input).elementCount());
            case LayerSpec.Relu relu -> new Relu();
          });
    }
    return new InferenceNetwork(List.copyOf(steps), architecture);
  }

  private static Step fullyConnected(LayerSpec.FullyConnected fc, Model model) {
    float[] bias = model.parameter(fc.biasName());
    return switch (model.tensor(fc.weightName())) {
      case SparseQuantizedTensor sparse ->
          new SparseFullyConnected(new QuantizedCsr(sparse, fc.outputs(), fc.inputs()), bias);
      case DenseTensor dense -> new FullyConnected(fc.inputs(), fc.outputs(), dense.values(), bias);
    };
  }

  /** Elements per input row (the architecture's input shape, flattened). */
  public int inputSize() {
    return inputSize;
  }

  /** Elements per output row. */
  public int outputSize() {
    return outputSize;
  }

  /**
   * Runs a batch.
   *
   * @param inputs {@code batchSize} rows of {@link #inputSize()} values each; not modified
   * @return {@code batchSize} rows of {@link #outputSize()} values each
   */
  public float[] forward(float[] inputs, int batchSize) {
    if (batchSize < 0) {
      throw new IllegalArgumentException("batch size must not be negative: " + batchSize);
    }
    if (inputs.length != (long) batchSize * inputSize) {
      throw new IllegalArgumentException(
          "expected "
              + batchSize
              + " rows of "
              + inputSize
              + " inputs ("
              + (long) batchSize * inputSize
              + " values) but got "
              + inputs.length
              + " values");
    }
    if ((long) batchSize * widestRow > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "batch of " + batchSize + " is too large: a layer's activations would exceed one array");
    }
    float[] activations = inputs;
    for (Step step : steps) {
      activations = step.apply(activations, batchSize);
    }
    return activations;
  }

  /** Index of the largest output of each row; ties go to the lowest index. */
  public int[] predict(float[] inputs, int batchSize) {
    return Argmax.rows(forward(inputs, batchSize), batchSize, outputSize);
  }

  /** One layer's computation; returns a new array so the caller's input is never modified. */
  private sealed interface Step {
    float[] apply(float[] input, int batchSize);
  }

  /** {@code Y = X·Wᵀ + b}: X is batch×inputs, W is stored outputs×inputs. */
  private record FullyConnected(int inputs, int outputs, float[] weight, float[] bias)
      implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * outputs];
      Gemm.sgemm(
          false, true, batchSize, outputs, inputs, input, 0, inputs, weight, 0, inputs, 0f, output,
          0, outputs);
      for (int row = 0; row < batchSize; row++) {
        int offset = row * outputs;
        for (int j = 0; j < outputs; j++) {
          output[offset + j] += bias[j];
        }
      }
      return output;
    }
  }

  /** {@code Y = X·Wᵀ + b} with W held as sparse rows of codebook indices. */
  private record SparseFullyConnected(QuantizedCsr weight, float[] bias) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      return weight.multiplyTransposed(input, batchSize, bias);
    }
  }

  /**
   * Convolution through im2col and GEMM on dense weights; a sparse-quantized weight was decoded
   * once by {@link Model#parameter} (convolution in the compressed domain is not implemented).
   */
  private record Convolution(Conv2d conv, int outputSize, float[] weight, float[] bias)
      implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * outputSize];
      int chunk = Math.min(batchSize, conv.imagesPerChunk());
      conv.forward(
          input,
          batchSize,
          weight,
          bias,
          output,
          new float[conv.columnsLength(chunk)],
          new float[conv.productLength(chunk)]);
      return output;
    }
  }

  private record MaxPool(MaxPool2d pool, int outputSize) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * outputSize];
      pool.forward(input, batchSize, output, null);
      return output;
    }
  }

  private record Relu() implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[input.length];
      for (int i = 0; i < input.length; i++) {
        output[i] = Math.max(input[i], 0f);
      }
      return output;
    }
  }
}
