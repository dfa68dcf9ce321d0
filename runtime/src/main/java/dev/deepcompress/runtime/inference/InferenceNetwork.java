package dev.deepcompress.runtime.inference;

import dev.deepcompress.runtime.kernels.AveragePool2d;
import dev.deepcompress.runtime.kernels.Conv2d;
import dev.deepcompress.runtime.kernels.Gemm;
import dev.deepcompress.runtime.kernels.MaxPool2d;
import dev.deepcompress.runtime.kernels.QuantizedSparseMatrix;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A model ready to run: one step per layer of its architecture, applied to a batch of inputs laid
 * out row by row. A fully connected layer whose weight is sparse-quantized runs on the compressed
 * form ({@link QuantizedSparseMatrix}), and for a single input row with enough zeros (as after a
 * ReLU) and a weight with long enough columns ({@link QuantizedSparseMatrix#skippingZerosPays})
 * skips them, through a column-major copy of the weight built with the network; dense weights go
 * through GEMM. A convolution runs through im2col, then either the compressed-form product or, for
 * a dense or a dense-enough sparse-quantized weight (decoded once, when the network is built),
 * GEMM. {@link #describeLayers()} says which form each layer runs in. Shares the model's dense
 * arrays (no copy), so they must not be changed while the network is in use. Safe for concurrent
 * use: each call allocates its own activations.
 */
public final class InferenceNetwork {
  private final List<Step> steps;
  private final int inputSize;
  private final int outputSize;
  private final int widestRow;
  private final List<LayerDescription> layers;

  /**
   * How one layer runs.
   *
   * @param name the layer's name in the architecture
   * @param form {@value #DENSE_GEMM}, {@value #DECODED_GEMM}, {@value #COMPRESSED}, {@value
   *     #COMPRESSED_SKIPPING_ZEROS}, or for layers without weights {@value #NO_WEIGHTS}
   * @param weightBytes bytes of the weight as held in memory for the kernel (for the compressed
   *     form: row pointers, column and codebook indices, codebook, and any column-wise copy)
   * @param storedWeights weights the kernel reads: the non-zeros in the compressed form, every
   *     element otherwise
   */
  public record LayerDescription(String name, String form, long weightBytes, long storedWeights) {}

  /** A dense fp32 weight through GEMM. */
  public static final String DENSE_GEMM = "dense GEMM";

  /** A sparse-quantized weight decoded to dense fp32 at load, then GEMM. */
  public static final String DECODED_GEMM = "decoded to dense, GEMM";

  /** A sparse-quantized weight run in compressed form by {@link QuantizedSparseMatrix}. */
  public static final String COMPRESSED = "compressed";

  /**
   * {@link #COMPRESSED}, plus a column-wise copy through which a single input row with enough zeros
   * skips them ({@link QuantizedSparseMatrix#skippingZerosPays}).
   */
  public static final String COMPRESSED_SKIPPING_ZEROS = "compressed, skips zero inputs";

  public static final String NO_WEIGHTS = "no weights";

  /**
   * Densest sparse-quantized convolution weight run in compressed form; denser ones are decoded for
   * GEMM. The compressed product spends a load and an FMA per non-zero and output vector, where
   * GEMM reuses each load from a register tile; the measured break-even lies between 20% and 30%
   * (docs/kernel-notes.md). A density rule rather than a measurement at load, so the choice is the
   * same on every run.
   */
  static final double MAX_COMPRESSED_CONVOLUTION_DENSITY = 0.25;

  private InferenceNetwork(
      List<Step> steps, List<LayerDescription> layers, Architecture architecture) {
    this.steps = steps;
    this.layers = layers;
    this.inputSize = architecture.inputShape().elementCount();
    this.outputSize = architecture.outputShape().elementCount();
    int widest = outputSize;
    for (Shape shape : architecture.layerInputShapes()) {
      widest = Math.max(widest, shape.elementCount());
    }
    this.widestRow = widest;
  }

  public static InferenceNetwork of(Model model) {
    return build(model, model::parameter);
  }

  /**
   * What {@link #of} would build, as {@link #describeLayers()} tells it, without decoding any
   * tensor to dense: the compressed forms are built (their size is part of the description), the
   * dense decodings are only counted.
   */
  public static List<LayerDescription> describe(Model model) {
    // A network built without dense values is never run, only described.
    return build(model, name -> null).describeLayers();
  }

  /**
   * @param decoded a parameter's dense values by name: the model's, or null when only describing
   */
  private static InferenceNetwork build(Model model, Function<String, float[]> decoded) {
    Architecture architecture = model.architecture();
    List<Step> steps = new ArrayList<>();
    List<LayerDescription> layers = new ArrayList<>();
    List<Shape> inputShapes = architecture.layerInputShapes();
    for (int i = 0; i < inputShapes.size(); i++) {
      Shape input = inputShapes.get(i);
      LayerSpec layer = architecture.layers().get(i);
      Step step =
          switch (layer) {
            case LayerSpec.FullyConnected fc -> fullyConnected(fc, model, decoded);
            case LayerSpec.Convolution conv -> convolution(conv, input, model, decoded);
            case LayerSpec.MaxPool pool ->
                new MaxPool(MaxPool2d.of(pool, input), pool.outputShape(input).elementCount());
            case LayerSpec.AveragePool pool ->
                new AveragePool(
                    AveragePool2d.of(pool, input), pool.outputShape(input).elementCount());
            case LayerSpec.Relu relu -> new Relu();
          };
      steps.add(step);
      layers.add(step.describe(layer.name()));
    }
    return new InferenceNetwork(List.copyOf(steps), List.copyOf(layers), architecture);
  }

  private static Step fullyConnected(
      LayerSpec.FullyConnected fc, Model model, Function<String, float[]> decoded) {
    float[] bias = decoded.apply(fc.biasName());
    return switch (model.tensor(fc.weightName())) {
      case SparseQuantizedTensor sparse -> sparseFullyConnected(fc, sparse, null, bias);
      case QuantizedTensor quantized ->
          quantized
              .codebookForm()
              .map(form -> sparseFullyConnected(fc, form.tensor(), form.rowScales(), bias))
              .orElseGet(
                  () ->
                      new FullyConnected(
                          fc.inputs(),
                          fc.outputs(),
                          decoded.apply(fc.weightName()),
                          bias,
                          DECODED_GEMM));
      case DenseTensor dense ->
          new FullyConnected(fc.inputs(), fc.outputs(), dense.values(), bias, DENSE_GEMM);
    };
  }

  /**
   * @param rowScales each output's factor, applied to its product before the bias; null for none
   */
  private static Step sparseFullyConnected(
      LayerSpec.FullyConnected fc, SparseQuantizedTensor sparse, float[] rowScales, float[] bias) {
    QuantizedSparseMatrix weight = QuantizedSparseMatrix.of(sparse, fc.outputs(), fc.inputs());
    // Batch-1 inputs after a ReLU are mostly zero and take the column-wise product.
    boolean skipsZeros = weight.skippingZerosCanPay();
    if (skipsZeros) {
      weight.prepareSkippingZeros();
    }
    return new SparseFullyConnected(weight, new RowScales(rowScales, bias, 1), skipsZeros);
  }

  private static Step convolution(
      LayerSpec.Convolution spec, Shape input, Model model, Function<String, float[]> decoded) {
    Conv2d conv = Conv2d.of(spec, input);
    int outputSize = spec.outputShape(input).elementCount();
    float[] bias = decoded.apply(spec.biasName());
    Tensor weight = model.tensor(spec.weightName());
    SparseQuantizedTensor sparse = null;
    float[] rowScales = null;
    switch (weight) {
      case SparseQuantizedTensor s -> sparse = s;
      case QuantizedTensor q -> {
        QuantizedTensor.CodebookForm form = q.codebookForm().orElse(null);
        if (form != null) {
          sparse = form.tensor();
          rowScales = form.rowScales();
        }
      }
      case DenseTensor d -> {}
    }
    if (sparse != null
        && sparse.nonZeroCount()
            <= MAX_COMPRESSED_CONVOLUTION_DENSITY * sparse.shape().elementCount()) {
      return new SparseConvolution(
          conv,
          outputSize,
          QuantizedSparseMatrix.of(sparse, spec.outputChannels(), conv.patchSize()),
          new RowScales(rowScales, bias, outputSize / spec.outputChannels()));
    }
    return new Convolution(
        conv,
        outputSize,
        weight.shape().elementCount(),
        decoded.apply(spec.weightName()),
        bias,
        weight instanceof DenseTensor ? DENSE_GEMM : DECODED_GEMM);
  }

  /**
   * The bias, and a factor per output row of a compressed weight whose codebook leaves out each
   * row's scale (affine levels with a scale per output channel): the kernel then adds no bias, and
   * each output becomes {@code scale × product + bias}.
   *
   * @param scales null when the kernel's products are final
   * @param spatial outputs per channel and sample: 1 for a fully connected layer
   */
  private record RowScales(float[] scales, float[] bias, int spatial) {
    /** The bias the kernel adds itself. */
    float[] kernelBias() {
      return scales == null ? bias : new float[bias.length];
    }

    void apply(float[] output, int batchSize) {
      if (scales == null) {
        return;
      }
      int channels = bias.length;
      for (int n = 0; n < batchSize; n++) {
        for (int c = 0; c < channels; c++) {
          int offset = (n * channels + c) * spatial;
          for (int i = offset; i < offset + spatial; i++) {
            output[i] = scales[c] * output[i] + bias[c];
          }
        }
      }
    }
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

  /** Each layer's name and the form its weight runs in, in architecture order. */
  public List<LayerDescription> describeLayers() {
    return layers;
  }

  /** Index of the largest output of each row; ties go to the lowest index. */
  public int[] predict(float[] inputs, int batchSize) {
    return Argmax.rows(forward(inputs, batchSize), batchSize, outputSize);
  }

  /** One layer's computation; returns a new array so the caller's input is never modified. */
  private sealed interface Step {
    float[] apply(float[] input, int batchSize);

    LayerDescription describe(String name);
  }

  /** {@code Y = X·Wᵀ + b}: X is batch×inputs, W is stored outputs×inputs. */
  private record FullyConnected(int inputs, int outputs, float[] weight, float[] bias, String form)
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

    @Override
    public LayerDescription describe(String name) {
      long elements = (long) inputs * outputs;
      return new LayerDescription(name, form, 4 * elements, elements);
    }
  }

  /** {@code Y = X·Wᵀ + b} with W in compressed form. */
  private record SparseFullyConnected(
      QuantizedSparseMatrix weight, RowScales rows, boolean skipsZeros) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * weight.rows()];
      float[] bias = rows.kernelBias();
      // Whether the columns are long enough was settled when the network was built.
      if (batchSize == 1 && skipsZeros && QuantizedSparseMatrix.enoughZerosToSkip(input)) {
        weight.multiplyVectorSkippingZeros(input, bias, output);
      } else {
        weight.multiplyBatch(input, batchSize, bias, output);
      }
      rows.apply(output, batchSize);
      return output;
    }

    @Override
    public LayerDescription describe(String name) {
      return compressed(name, skipsZeros ? COMPRESSED_SKIPPING_ZEROS : COMPRESSED, weight);
    }
  }

  private static LayerDescription compressed(
      String name, String form, QuantizedSparseMatrix weight) {
    return new LayerDescription(name, form, weight.bytesInMemory(), weight.nonZeros());
  }

  /** One convolution call with its output and its im2col and product scratch arrays. */
  @FunctionalInterface
  private interface ConvolutionCall {
    void run(float[] output, float[] columns, float[] product);
  }

  /** Allocates what a convolution of {@code batchSize} images needs and runs it. */
  private static float[] convolve(
      Conv2d conv, int outputSize, int batchSize, ConvolutionCall call) {
    float[] output = new float[batchSize * outputSize];
    int chunk = Math.min(batchSize, conv.imagesPerChunk());
    call.run(output, new float[conv.columnsLength(chunk)], new float[conv.productLength(chunk)]);
    return output;
  }

  /** Convolution through im2col and GEMM on a dense weight of {@code weightElements} values. */
  private record Convolution(
      Conv2d conv, int outputSize, int weightElements, float[] weight, float[] bias, String form)
      implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      return convolve(
          conv,
          outputSize,
          batchSize,
          (output, columns, product) ->
              conv.forward(input, batchSize, weight, bias, output, columns, product));
    }

    @Override
    public LayerDescription describe(String name) {
      return new LayerDescription(name, form, 4L * weightElements, weightElements);
    }
  }

  /** Convolution through im2col and the compressed-form product. */
  private record SparseConvolution(
      Conv2d conv, int outputSize, QuantizedSparseMatrix weight, RowScales rows) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output =
          convolve(
              conv,
              outputSize,
              batchSize,
              (out, columns, product) ->
                  conv.forward(input, batchSize, weight, rows.kernelBias(), out, columns, product));
      rows.apply(output, batchSize);
      return output;
    }

    @Override
    public LayerDescription describe(String name) {
      return compressed(name, COMPRESSED, weight);
    }
  }

  private record MaxPool(MaxPool2d pool, int outputSize) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * outputSize];
      pool.forward(input, batchSize, output, null);
      return output;
    }

    @Override
    public LayerDescription describe(String name) {
      return new LayerDescription(name, NO_WEIGHTS, 0, 0);
    }
  }

  private record AveragePool(AveragePool2d pool, int outputSize) implements Step {
    @Override
    public float[] apply(float[] input, int batchSize) {
      float[] output = new float[batchSize * outputSize];
      pool.forward(input, batchSize, output);
      return output;
    }

    @Override
    public LayerDescription describe(String name) {
      return new LayerDescription(name, NO_WEIGHTS, 0, 0);
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

    @Override
    public LayerDescription describe(String name) {
      return new LayerDescription(name, NO_WEIGHTS, 0, 0);
    }
  }
}
