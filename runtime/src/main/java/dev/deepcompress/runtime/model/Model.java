package dev.deepcompress.runtime.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An architecture with a {@link Tensor} for every parameter, free-form metadata (training settings,
 * provenance) carried into the file, and, when known, the {@link Preprocessing} that turns raw
 * inputs into the network's inputs. Immutable by convention: dense arrays are shared, not copied.
 */
public final class Model {
  private final Architecture architecture;
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;
  // Null when none is recorded.
  private final Preprocessing preprocessing;
  // Dense values of compressed tensors, decoded on first request.
  private final Map<String, float[]> decoded = new ConcurrentHashMap<>();

  /**
   * A model whose parameters are all dense fp32 arrays (row-major).
   *
   * @throws IllegalArgumentException if a parameter is missing, extra or of the wrong length
   */
  public Model(
      Architecture architecture, Map<String, float[]> parameters, Map<String, String> metadata) {
    this(denseTensors(architecture, parameters), architecture, metadata, null);
  }

  // Argument order differs from the public constructor's: both take maps, which erase alike.
  private Model(
      Map<String, ? extends Tensor> tensors,
      Architecture architecture,
      Map<String, String> metadata,
      Preprocessing preprocessing) {
    this.architecture = architecture;
    if (preprocessing != null) {
      preprocessing.checkInputShape(architecture.inputShape());
    }
    this.preprocessing = preprocessing;
    Map<String, Tensor> ordered = new LinkedHashMap<>();
    List<ParameterSpec> specs = architecture.parameters();
    for (ParameterSpec spec : specs) {
      Tensor tensor = tensors.get(spec.name());
      if (tensor == null) {
        throw new IllegalArgumentException("model is missing parameter " + spec.name());
      }
      if (!tensor.shape().equals(spec.shape())) {
        throw new IllegalArgumentException(
            "parameter "
                + spec.name()
                + " has shape "
                + tensor.shape()
                + " but the architecture declares "
                + spec.shape());
      }
      ordered.put(spec.name(), tensor);
    }
    if (tensors.size() != specs.size()) {
      throw new IllegalArgumentException(
          "model has parameters the architecture does not declare: " + tensors.keySet());
    }
    this.tensors = Collections.unmodifiableMap(ordered);
    this.metadata = Map.copyOf(metadata);
  }

  /**
   * A model with the given tensor for every parameter, dense or compressed.
   *
   * @throws IllegalArgumentException if a parameter is missing, extra or of the wrong shape
   */
  public static Model ofTensors(
      Architecture architecture,
      Map<String, ? extends Tensor> tensors,
      Map<String, String> metadata) {
    return new Model(tensors, architecture, metadata, null);
  }

  /**
   * This model with {@code preprocessing} recorded; tensors and metadata are shared.
   *
   * @throws IllegalArgumentException if its channel count does not fit the input shape
   */
  public Model withPreprocessing(Preprocessing preprocessing) {
    return new Model(
        tensors, architecture, metadata, Objects.requireNonNull(preprocessing, "preprocessing"));
  }

  private static Map<String, Tensor> denseTensors(
      Architecture architecture, Map<String, float[]> parameters) {
    Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      specs.put(spec.name(), spec);
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> entry : parameters.entrySet()) {
      ParameterSpec spec = specs.get(entry.getKey());
      if (spec == null) {
        throw new IllegalArgumentException(
            "model has parameters the architecture does not declare: " + parameters.keySet());
      }
      float[] values = entry.getValue();
      if (values.length != spec.shape().elementCount()) {
        throw new IllegalArgumentException(
            "parameter "
                + spec.name()
                + " has "
                + values.length
                + " values, shape "
                + spec.shape()
                + " needs "
                + spec.shape().elementCount());
      }
      tensors.put(spec.name(), new DenseTensor(spec.shape(), values));
    }
    return tensors;
  }

  public Architecture architecture() {
    return architecture;
  }

  /** Every parameter's tensor, in architecture order. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Tensor tensor(String name) {
    Tensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return tensor;
  }

  /**
   * The parameter's values as a dense row-major array: the tensor's own array if it is dense, else
   * its decoding, computed once and then shared. Must not be modified.
   */
  public float[] parameter(String name) {
    return switch (tensor(name)) {
      case DenseTensor dense -> dense.values();
      case SparseQuantizedTensor sparse -> decoded.computeIfAbsent(name, n -> sparse.toDense());
      case QuantizedTensor quantized -> decoded.computeIfAbsent(name, n -> quantized.toDense());
    };
  }

  /** Every parameter as by {@link #parameter(String)}, in architecture order. */
  public Map<String, float[]> parameters() {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (String name : tensors.keySet()) {
      values.put(name, parameter(name));
    }
    return Collections.unmodifiableMap(values);
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * How raw inputs become the network's inputs, if recorded. Models read from files older than
   * format 1.2 have none: their inputs go to the network as given.
   */
  public Optional<Preprocessing> preprocessing() {
    return Optional.ofNullable(preprocessing);
  }

  @Override
  public String toString() {
    return "Model[" + architecture.name() + ", " + tensors.size() + " tensors]";
  }
}
