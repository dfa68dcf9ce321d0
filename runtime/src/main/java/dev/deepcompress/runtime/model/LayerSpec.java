package dev.deepcompress.runtime.model;

import java.util.List;

/**
 * One layer of an {@link Architecture}. The description is the single source of shapes: training
 * builds trainable layers from it and the runtime builds inference layers from it.
 */
public sealed interface LayerSpec {

  /** Layer name, unique within an architecture; parameter tensors are named after it. */
  String name();

  /** Output shape for the given input shape (without the batch dimension). */
  Shape outputShape(Shape input);

  /** The learnable tensors of this layer, in file order. */
  default List<ParameterSpec> parameters(Shape input) {
    return List.of();
  }

  /**
   * Fully connected layer: {@code y = W·x + b} with {@code W} of shape [outputs, inputs]. Like
   * Caffe's InnerProduct it flattens any input whose element count equals {@code inputs}.
   */
  record FullyConnected(String name, int inputs, int outputs) implements LayerSpec {
    public FullyConnected {
      Names.requireValid(name);
      if (inputs <= 0 || outputs <= 0) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + ": inputs and outputs must be positive, got "
                + inputs
                + "→"
                + outputs);
      }
      requireTensorFits(name, "weight", outputs, inputs);
    }

    @Override
    public Shape outputShape(Shape input) {
      if (input.elementCount() != inputs) {
        throw new IllegalArgumentException(
            "layer " + name + " expects " + inputs + " inputs but receives shape " + input);
      }
      return Shape.of(outputs);
    }

    @Override
    public List<ParameterSpec> parameters(Shape input) {
      return List.of(
          new ParameterSpec(weightName(), ParameterSpec.Role.WEIGHT, Shape.of(outputs, inputs)),
          new ParameterSpec(biasName(), ParameterSpec.Role.BIAS, Shape.of(outputs)));
    }

    public String weightName() {
      return name + ".weight";
    }

    public String biasName() {
      return name + ".bias";
    }
  }

  /**
   * 2-D convolution over a [channels, height, width] input, as Caffe's Convolution layer with a
   * square kernel: weight [outputChannels, inputChannels, kernelSize, kernelSize] row-major, bias
   * [outputChannels]. The input is zero-padded by {@code padding} on every side; the output is
   * [outputChannels, (H + 2·padding − kernelSize) / stride + 1, likewise for W] with integer
   * (floor) division, so positions that would need a window past the padded edge are dropped.
   */
  record Convolution(
      String name, int inputChannels, int outputChannels, int kernelSize, int stride, int padding)
      implements LayerSpec {
    public Convolution {
      Names.requireValid(name);
      if (inputChannels <= 0 || outputChannels <= 0 || kernelSize <= 0 || stride <= 0) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + ": channels, kernel size and stride must be positive, got "
                + inputChannels
                + "→"
                + outputChannels
                + " channels, kernel "
                + kernelSize
                + ", stride "
                + stride);
      }
      if (padding < 0) {
        throw new IllegalArgumentException(
            "layer " + name + ": padding must not be negative, got " + padding);
      }
      requireTensorFits(name, "weight", outputChannels, inputChannels, kernelSize, kernelSize);
    }

    @Override
    public Shape outputShape(Shape input) {
      requireImage(name, input);
      if (input.dim(0) != inputChannels) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + " expects "
                + inputChannels
                + " input channels but receives shape "
                + input);
      }
      return Shape.of(
          outputChannels,
          outputSize(input.dim(1), "height", input),
          outputSize(input.dim(2), "width", input));
    }

    private int outputSize(int size, String axis, Shape input) {
      long padded = size + 2L * padding;
      if (padded < kernelSize) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + ": the "
                + kernelSize
                + "×"
                + kernelSize
                + " kernel does not fit the input "
                + axis
                + " "
                + size
                + " with padding "
                + padding
                + " (input shape "
                + input
                + ")");
      }
      long out = (padded - kernelSize) / stride + 1;
      if (out > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "layer " + name + ": output " + axis + " " + out + " is too large");
      }
      return (int) out;
    }

    @Override
    public List<ParameterSpec> parameters(Shape input) {
      return List.of(
          new ParameterSpec(
              weightName(),
              ParameterSpec.Role.WEIGHT,
              Shape.of(outputChannels, inputChannels, kernelSize, kernelSize)),
          new ParameterSpec(biasName(), ParameterSpec.Role.BIAS, Shape.of(outputChannels)));
    }

    public String weightName() {
      return name + ".weight";
    }

    public String biasName() {
      return name + ".bias";
    }
  }

  /**
   * Max pooling of each channel of a [channels, height, width] input with a square window, exactly
   * as Caffe's Pooling layer (MAX, no padding) computes it: the output size is ceil((H −
   * kernelSize) / stride) + 1 (likewise for W), window (i, j) starts at (i·stride, j·stride) and is
   * clipped to the input, so the last window of a row or column may be smaller than the kernel;
   * ties go to the first maximum in row-major order within the window. Shapes where Caffe would
   * produce a window lying wholly outside the input (possible only when stride exceeds the kernel)
   * are rejected, as are inputs smaller than the kernel.
   */
  record MaxPool(String name, int kernelSize, int stride) implements LayerSpec {
    public MaxPool {
      requireValidPooling(name, kernelSize, stride);
    }

    @Override
    public Shape outputShape(Shape input) {
      return poolOutputShape(name, kernelSize, stride, input);
    }
  }

  /**
   * Average pooling of each channel of a [channels, height, width] input, as Caffe's Pooling layer
   * (AVE, no padding) computes it: the windows and the output size are those of {@link MaxPool}
   * (the last window of a row or column clipped to the input), and each output is the mean of the
   * input elements its window covers, so a clipped window averages fewer elements.
   */
  record AveragePool(String name, int kernelSize, int stride) implements LayerSpec {
    public AveragePool {
      requireValidPooling(name, kernelSize, stride);
    }

    @Override
    public Shape outputShape(Shape input) {
      return poolOutputShape(name, kernelSize, stride, input);
    }
  }

  /** Rectified linear unit, elementwise. */
  record Relu(String name) implements LayerSpec {
    public Relu {
      Names.requireValid(name);
    }

    @Override
    public Shape outputShape(Shape input) {
      return input;
    }
  }

  /** A parameter tensor's elements must fit in a {@link Shape}, that is in one array. */
  private static void requireTensorFits(String name, String tensor, int... dims) {
    long elements = 1;
    for (int d : dims) {
      // Each factor is below 2³¹, so the product stays exact until it passes the bound.
      elements *= d;
      if (elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            String.format(
                "layer %s: its %s %s is too large (a tensor holds at most %,d elements)",
                name, tensor, Shape.describe(dims), Integer.MAX_VALUE));
      }
    }
  }

  private static void requireImage(String name, Shape input) {
    if (input.rank() != 3) {
      throw new IllegalArgumentException(
          "layer " + name + " expects a channels×height×width input but receives shape " + input);
    }
  }

  private static void requireValidPooling(String name, int kernelSize, int stride) {
    Names.requireValid(name);
    if (kernelSize <= 0 || stride <= 0) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": kernel size and stride must be positive, got kernel "
              + kernelSize
              + ", stride "
              + stride);
    }
  }

  /**
   * The output shape of Caffe's pooling windows, shared by {@link MaxPool} and {@link AveragePool}.
   */
  private static Shape poolOutputShape(String name, int kernelSize, int stride, Shape input) {
    requireImage(name, input);
    return Shape.of(
        input.dim(0),
        poolOutputSize(name, kernelSize, stride, input.dim(1), "height", input),
        poolOutputSize(name, kernelSize, stride, input.dim(2), "width", input));
  }

  private static int poolOutputSize(
      String name, int kernelSize, int stride, int size, String axis, Shape input) {
    if (size < kernelSize) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": the "
              + kernelSize
              + "×"
              + kernelSize
              + " window does not fit the input "
              + axis
              + " "
              + size
              + " (input shape "
              + input
              + ")");
    }
    long lastStart = ((long) size - kernelSize + stride - 1) / stride * stride;
    if (lastStart >= size) {
      throw new IllegalArgumentException(
          "layer "
              + name
              + ": with stride "
              + stride
              + " the last "
              + kernelSize
              + "×"
              + kernelSize
              + " window starts at "
              + axis
              + " "
              + lastStart
              + ", outside the input (input shape "
              + input
              + ")");
    }
    return (int) (lastStart / stride + 1);
  }
}
