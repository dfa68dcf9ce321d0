package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How raw inputs become the network's input, for a model that does not record it (an ONNX file):
 * {@code (x × scale − mean) / std}, per channel of a C×H×W input or per feature of a flat one.
 */
final class InputPreprocessingOptions {
  @Option(
      names = "--input-scale",
      paramLabel = "S",
      converter = Fraction.class,
      description =
          "Multiply raw inputs by S first: a number or a fraction, e.g. 1/256 (Caffe's MNIST"
              + " LeNets) or 1/255 (torchvision's ToTensor).")
  Float scale;

  @Option(
      names = "--input-mean",
      arity = "1..*",
      paramLabel = "M",
      description = "Then subtract M: one value, or one per channel (C×H×W input) or feature.")
  float[] mean;

  @Option(
      names = "--input-std",
      arity = "1..*",
      paramLabel = "D",
      description = "Then divide by D: one value, or one per channel or feature.")
  float[] std;

  boolean given() {
    return scale != null || mean != null || std != null;
  }

  /** {@code model} with the preprocessing these options describe, or as it is if none is given. */
  Model applyTo(Model model) {
    if (!given()) {
      return model;
    }
    Shape input = model.architecture().inputShape();
    try {
      Preprocessing preprocessing =
          Preprocessing.of(
              input.rank() == 3 ? Preprocessing.Layout.CHANNELS_FIRST : Preprocessing.Layout.FLAT,
              scale != null ? scale : 1f,
              mean != null ? mean : new float[] {0f},
              std != null ? std : new float[] {1f});
      preprocessing.checkInputShape(input);
      return model.withPreprocessing(preprocessing);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
  }

  /** A decimal number, or a fraction A/B of two. */
  static final class Fraction implements CommandLine.ITypeConverter<Float> {
    @Override
    public Float convert(String value) {
      String[] parts = value.strip().split("/", -1);
      try {
        if (parts.length == 1) {
          return Float.parseFloat(parts[0]);
        }
        if (parts.length == 2) {
          return (float) (Double.parseDouble(parts[0]) / Double.parseDouble(parts[1]));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a number or a fraction such as 1/256");
    }
  }
}
