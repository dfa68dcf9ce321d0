package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.ArrayList;
import java.util.List;

/** Payload of the ARCH section, and the shape encoding that TENS shares with it. */
final class ArchitectureCodec {
  /** Layer kind tags, one per {@link LayerSpec} kind; never reuse or renumber one. */
  static final int FULLY_CONNECTED = 1;

  static final int RELU = 2;

  static final int CONVOLUTION = 3;

  static final int MAX_POOL = 4;

  static final int AVERAGE_POOL = 5;

  /** Smallest possible layer record (kind, name length, one name byte): bounds the layer count. */
  private static final int MIN_LAYER_BYTES = 4;

  private ArchitectureCodec() {}

  static void write(ByteWriter out, Architecture architecture) {
    out.string(architecture.name());
    writeShape(out, architecture.inputShape());
    out.u32(architecture.layers().size());
    for (LayerSpec layer : architecture.layers()) {
      writeLayer(out, layer);
    }
  }

  /**
   * Reads the architecture, checking each layer as it comes against the shape it receives and
   * against {@code limits}, so that an error names the layer's own offset.
   */
  static Architecture read(ByteReader in, ReadLimits limits) throws ModelFormatException {
    int start = in.position();
    String name = in.string("architecture name");
    int inputAt = in.position();
    Shape inputShape = readShape(in, "input shape");
    if (inputShape.elementCount() > limits.maxElements()) {
      throw in.errorAt(
          inputAt,
          String.format("input shape %s has %,d elements", inputShape, inputShape.elementCount())
              + limits.exceeded());
    }
    int countAt = in.position();
    long count = in.u32("layer count");
    if (count == 0 || count > in.remaining() / MIN_LAYER_BYTES) {
      throw in.errorAt(
          countAt,
          "layer count "
              + count
              + " is impossible: it must be at least 1 and the remaining "
              + in.remaining()
              + " bytes hold at most "
              + in.remaining() / MIN_LAYER_BYTES);
    }
    List<LayerSpec> layers = new ArrayList<>((int) count);
    Shape shape = inputShape;
    long parameterElements = 0;
    for (int i = 0; i < count; i++) {
      int layerAt = in.position();
      LayerSpec layer = readLayer(in);
      Shape output;
      try {
        output = layer.outputShape(shape);
        for (ParameterSpec parameter : layer.parameters(shape)) {
          parameterElements += parameter.shape().elementCount();
        }
      } catch (IllegalArgumentException e) {
        throw in.errorAt(layerAt, "invalid layer: " + e.getMessage());
      }
      requireWithinLimits(in, layerAt, layer, shape, output, parameterElements, limits);
      layers.add(layer);
      shape = output;
    }
    in.requireEnd();
    try {
      return new Architecture(name, inputShape, layers);
    } catch (IllegalArgumentException e) {
      throw in.errorAt(start, "invalid architecture: " + e.getMessage());
    }
  }

  /** The checks of {@link ReadLimits}, for one layer given what the layers before it declared. */
  private static void requireWithinLimits(
      ByteReader in,
      int layerAt,
      LayerSpec layer,
      Shape input,
      Shape output,
      long parameterElements,
      ReadLimits limits)
      throws ModelFormatException {
    long max = limits.maxElements();
    String problem = null;
    if (parameterElements > max) {
      problem = String.format("brings the model to %,d parameter elements", parameterElements);
    } else if (output.elementCount() > max) {
      problem =
          String.format(
              "outputs %,d elements per sample (shape %s)", output.elementCount(), output);
    } else if (layer instanceof LayerSpec.Convolution conv) {
      // Both factors are below 2³¹ (the weight and the output are shapes), so is no product.
      long patch = (long) conv.inputChannels() * conv.kernelSize() * conv.kernelSize();
      long pixels = (long) output.dim(1) * output.dim(2);
      if (patch * pixels > max) {
        problem =
            String.format("needs an im2col matrix of %,d × %,d elements per sample", patch, pixels);
      }
    }
    if (problem != null) {
      throw in.errorAt(layerAt, "layer '" + layer.name() + "' " + problem + limits.exceeded());
    }
  }

  private static void writeLayer(ByteWriter out, LayerSpec layer) {
    switch (layer) {
      case LayerSpec.FullyConnected fc -> {
        out.u8(FULLY_CONNECTED);
        out.string(fc.name());
        out.u32(fc.inputs());
        out.u32(fc.outputs());
      }
      case LayerSpec.Relu relu -> {
        out.u8(RELU);
        out.string(relu.name());
      }
      case LayerSpec.Convolution conv -> {
        out.u8(CONVOLUTION);
        out.string(conv.name());
        out.u32(conv.inputChannels());
        out.u32(conv.outputChannels());
        out.u32(conv.kernelSize());
        out.u32(conv.stride());
        out.u32(conv.padding());
      }
      case LayerSpec.MaxPool pool -> {
        out.u8(MAX_POOL);
        out.string(pool.name());
        out.u32(pool.kernelSize());
        out.u32(pool.stride());
      }
      case LayerSpec.AveragePool pool -> {
        out.u8(AVERAGE_POOL);
        out.string(pool.name());
        out.u32(pool.kernelSize());
        out.u32(pool.stride());
      }
    }
  }

  private static LayerSpec readLayer(ByteReader in) throws ModelFormatException {
    int start = in.position();
    int kind = in.u8("layer kind");
    String name = in.string("layer name");
    try {
      return switch (kind) {
        case FULLY_CONNECTED ->
            new LayerSpec.FullyConnected(
                name,
                in.u32InRange("fully connected inputs", 1, Integer.MAX_VALUE),
                in.u32InRange("fully connected outputs", 1, Integer.MAX_VALUE));
        case RELU -> new LayerSpec.Relu(name);
        case CONVOLUTION ->
            new LayerSpec.Convolution(
                name,
                in.u32InRange("convolution input channels", 1, Integer.MAX_VALUE),
                in.u32InRange("convolution output channels", 1, Integer.MAX_VALUE),
                in.u32InRange("convolution kernel size", 1, Integer.MAX_VALUE),
                in.u32InRange("convolution stride", 1, Integer.MAX_VALUE),
                in.u32InRange("convolution padding", 0, Integer.MAX_VALUE));
        case MAX_POOL ->
            new LayerSpec.MaxPool(
                name,
                in.u32InRange("max pooling kernel size", 1, Integer.MAX_VALUE),
                in.u32InRange("max pooling stride", 1, Integer.MAX_VALUE));
        case AVERAGE_POOL ->
            new LayerSpec.AveragePool(
                name,
                in.u32InRange("average pooling kernel size", 1, Integer.MAX_VALUE),
                in.u32InRange("average pooling stride", 1, Integer.MAX_VALUE));
        default ->
            throw in.errorAt(start, "unknown layer kind " + kind + " for layer '" + name + "'");
      };
    } catch (IllegalArgumentException e) {
      throw in.errorAt(start, "invalid layer: " + e.getMessage());
    }
  }

  static void writeShape(ByteWriter out, Shape shape) {
    out.u8(shape.rank());
    for (int d : shape.dims()) {
      out.u32(d);
    }
  }

  /** Rank, then dimensions; the element count must fit in an int, as {@link Shape} requires. */
  static Shape readShape(ByteReader in, String what) throws ModelFormatException {
    int start = in.position();
    int rank = in.u8(what + " rank");
    if (rank < 1 || rank > ModelFile.MAX_RANK) {
      throw in.errorAt(
          start, what + " rank " + rank + " is outside [1, " + ModelFile.MAX_RANK + "]");
    }
    int[] dims = new int[rank];
    long count = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = in.u32InRange(what + " dimension " + i, 1, Integer.MAX_VALUE);
      count *= dims[i];
      if (count > Integer.MAX_VALUE) {
        throw in.errorAt(start, what + " has more than " + Integer.MAX_VALUE + " elements");
      }
    }
    return Shape.of(dims);
  }
}
