package dev.deepcompress.training;

import dev.deepcompress.runtime.inference.Argmax;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** A trainable network built from an {@link Architecture}: the shapes come from there alone. */
public final class Network {
  private final Architecture architecture;
  // Carried into the model the network becomes; null when none is known.
  private final Preprocessing preprocessing;
  private final List<TrainableLayer> layers;
  private final List<Parameter> parameters;

  private Network(
      Architecture architecture, Preprocessing preprocessing, Map<String, float[]> values) {
    this.architecture = architecture;
    if (preprocessing != null) {
      preprocessing.checkInputShape(architecture.inputShape());
    }
    this.preprocessing = preprocessing;
    Map<String, Parameter> byName = new HashMap<>();
    List<Parameter> ordered = new ArrayList<>();
    for (ParameterSpec spec : architecture.parameters()) {
      Parameter parameter = new Parameter(spec, values.get(spec.name()));
      byName.put(spec.name(), parameter);
      ordered.add(parameter);
    }
    this.parameters = List.copyOf(ordered);
    List<Shape> inputShapes = architecture.layerInputShapes();
    List<TrainableLayer> built = new ArrayList<>();
    for (int i = 0; i < architecture.layers().size(); i++) {
      built.add(buildLayer(architecture.layers().get(i), inputShapes.get(i), byName));
    }
    this.layers = List.copyOf(built);
  }

  private static TrainableLayer buildLayer(
      LayerSpec spec, Shape inputShape, Map<String, Parameter> parameters) {
    return switch (spec) {
      case LayerSpec.FullyConnected fc ->
          new FullyConnectedLayer(
              fc, inputShape, parameters.get(fc.weightName()), parameters.get(fc.biasName()));
      case LayerSpec.Convolution conv ->
          new ConvolutionLayer(
              conv, inputShape, parameters.get(conv.weightName()), parameters.get(conv.biasName()));
      case LayerSpec.MaxPool pool -> new MaxPoolLayer(pool, inputShape);
      case LayerSpec.AveragePool pool -> new AveragePoolLayer(pool, inputShape);
      case LayerSpec.Relu relu -> new ReluLayer(relu, inputShape);
    };
  }

  /**
   * Fresh weights as Caffe's "xavier" filler draws them (uniform in ±√(3/fan-in), fan-in being the
   * weights per output: inputs, or input channels × k × k) and zero biases, from one seeded
   * generator consumed in parameter order.
   */
  public static Network initialize(Architecture architecture, long seed) {
    return initialize(architecture, null, seed);
  }

  /**
   * {@link #initialize(Architecture, long)} for inputs made by {@code preprocessing}, which the
   * network's models record.
   *
   * @param preprocessing null if not known
   */
  public static Network initialize(
      Architecture architecture, Preprocessing preprocessing, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, float[]> values = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] v = new float[spec.shape().elementCount()];
      if (spec.role() == ParameterSpec.Role.WEIGHT) {
        int fanIn = v.length / spec.shape().dim(0);
        double scale = Math.sqrt(3.0 / fanIn);
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) random.nextDouble(-scale, scale);
        }
      }
      values.put(spec.name(), v);
    }
    return new Network(architecture, preprocessing, values);
  }

  /** A network holding a copy of the model's parameters, and its preprocessing. */
  public static Network fromModel(Model model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.parameters().forEach((name, v) -> values.put(name, v.clone()));
    return new Network(model.architecture(), model.preprocessing().orElse(null), values);
  }

  /** A snapshot of the current parameters as an immutable-by-convention model. */
  public Model toModel(Map<String, String> metadata) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      values.put(p.name(), p.values().clone());
    }
    return withPreprocessing(new Model(architecture, values, metadata));
  }

  /** {@code model} with this network's preprocessing recorded, if it has one. */
  public Model withPreprocessing(Model model) {
    return preprocessing == null ? model : model.withPreprocessing(preprocessing);
  }

  public Architecture architecture() {
    return architecture;
  }

  /** How raw inputs become this network's inputs, if known. */
  public Optional<Preprocessing> preprocessing() {
    return Optional.ofNullable(preprocessing);
  }

  public List<Parameter> parameters() {
    return parameters;
  }

  /** The parameter with this full name (e.g. "ip1.weight"). */
  public Parameter parameter(String name) {
    for (Parameter p : parameters) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no parameter named " + name);
  }

  List<TrainableLayer> layers() {
    return layers;
  }

  public int outputCount() {
    return architecture.outputShape().elementCount();
  }

  /** Output rows (batch × outputs); the array belongs to the last layer and is reused. */
  public float[] forward(float[] input, int batch) {
    float[] x = input;
    for (TrainableLayer layer : layers) {
      x = layer.forward(x, batch);
    }
    return x;
  }

  /** Propagates the loss gradient of the last forward pass, filling every parameter's gradient. */
  public void backward(float[] outputGradient, int batch) {
    float[] g = outputGradient;
    for (int i = layers.size() - 1; i >= 0; i--) {
      g = layers.get(i).backward(g, batch, i > 0);
    }
  }

  public int[] predict(float[] input, int batch) {
    return Argmax.rows(forward(input, batch), batch, outputCount());
  }
}
