package dev.deepcompress.runtime.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random architectures and models for round-trip and agreement tests. */
public final class RandomModels {
  private static final String[] METADATA_KEYS = {
    "seed", "dataset", "lr", "z", "Ä", "\uE000", "\uD83D\uDE00", "", "key with spaces"
  };

  private RandomModels() {}

  /** 1-4 fully connected layers of width 1-24, each optionally followed by a ReLU. */
  public static Architecture architecture(Random random) {
    int inputs = 1 + random.nextInt(24);
    Shape inputShape =
        random.nextBoolean() && inputs % 2 == 0 ? Shape.of(2, inputs / 2) : Shape.of(inputs);
    List<LayerSpec> layers = new ArrayList<>();
    int width = inputs;
    int depth = 1 + random.nextInt(4);
    for (int i = 1; i <= depth; i++) {
      int outputs = 1 + random.nextInt(24);
      layers.add(new LayerSpec.FullyConnected("fc" + i, width, outputs));
      if (random.nextBoolean()) {
        layers.add(new LayerSpec.Relu("relu-" + i));
      }
      width = outputs;
    }
    return new Architecture("random_" + random.nextInt(1000), inputShape, layers);
  }

  /**
   * 1-2 blocks of convolution (kernel 1-5, stride 1-2, padding 0-2, 1-5 channels), an optional ReLU
   * and an optional max pooling (kernel 2-3, stride up to the kernel), on a 1-3 channel image of
   * 3-12 × 3-12 pixels, then a fully connected layer with 1-6 outputs.
   */
  public static Architecture convolutional(Random random) {
    Shape input = Shape.of(1 + random.nextInt(3), 3 + random.nextInt(10), 3 + random.nextInt(10));
    List<LayerSpec> layers = new ArrayList<>();
    Shape shape = input;
    int blocks = 1 + random.nextInt(2);
    for (int i = 1; i <= blocks; i++) {
      int padding = random.nextInt(3);
      int fits = Math.min(shape.dim(1), shape.dim(2)) + 2 * padding;
      LayerSpec conv =
          new LayerSpec.Convolution(
              "conv" + i,
              shape.dim(0),
              1 + random.nextInt(5),
              1 + random.nextInt(Math.min(5, fits)),
              1 + random.nextInt(2),
              padding);
      layers.add(conv);
      shape = conv.outputShape(shape);
      if (random.nextBoolean()) {
        layers.add(new LayerSpec.Relu("relu" + i));
      }
      int smaller = Math.min(shape.dim(1), shape.dim(2));
      if (smaller >= 2 && random.nextBoolean()) {
        int kernel = 2 + random.nextInt(Math.min(2, smaller - 1));
        int stride = 1 + random.nextInt(kernel);
        LayerSpec pool =
            random.nextBoolean()
                ? new LayerSpec.MaxPool("pool" + i, kernel, stride)
                : new LayerSpec.AveragePool("pool" + i, kernel, stride);
        layers.add(pool);
        shape = pool.outputShape(shape);
      }
    }
    layers.add(new LayerSpec.FullyConnected("ip", shape.elementCount(), 1 + random.nextInt(6)));
    return new Architecture("conv_" + random.nextInt(1000), input, layers);
  }

  public static Model model(Random random) {
    return model(architecture(random), random);
  }

  /** Gaussian parameters with the occasional edge value, and 0-4 metadata entries. */
  public static Model model(Architecture architecture, Random random) {
    float[] edges = {-0f, 0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE, -1e-30f};
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] values = new float[spec.shape().elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] =
            random.nextInt(50) == 0
                ? edges[random.nextInt(edges.length)]
                : (float) (random.nextGaussian() * 0.5);
      }
      parameters.put(spec.name(), values);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    int entries = random.nextInt(5);
    for (int i = 0; i < entries; i++) {
      metadata.put(
          METADATA_KEYS[random.nextInt(METADATA_KEYS.length)], "value " + random.nextLong());
    }
    return new Model(architecture, parameters, metadata);
  }

  /** Like {@link #model(Architecture, Random)} but with ordinary weights only (for inference). */
  public static Model gaussianModel(Architecture architecture, Random random) {
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] values = new float[spec.shape().elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      parameters.put(spec.name(), values);
    }
    return new Model(architecture, parameters, Map.of());
  }
}
