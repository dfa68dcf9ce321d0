package dev.deepcompress.runtime.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An architecture with a value for every parameter tensor (row-major fp32), plus free-form metadata
 * (training settings, provenance) carried into the file.
 */
public record Model(
    Architecture architecture, Map<String, float[]> parameters, Map<String, String> metadata) {

  public Model {
    Map<String, float[]> ordered = new LinkedHashMap<>();
    List<ParameterSpec> specs = architecture.parameters();
    for (ParameterSpec spec : specs) {
      float[] values = parameters.get(spec.name());
      if (values == null) {
        throw new IllegalArgumentException("model is missing parameter " + spec.name());
      }
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
      ordered.put(spec.name(), values);
    }
    if (parameters.size() != specs.size()) {
      throw new IllegalArgumentException(
          "model has parameters the architecture does not declare: " + parameters.keySet());
    }
    parameters = java.util.Collections.unmodifiableMap(ordered);
    metadata = Map.copyOf(metadata);
  }

  public float[] parameter(String name) {
    float[] values = parameters.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return values;
  }
}
