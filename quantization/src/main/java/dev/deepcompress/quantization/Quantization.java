package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ParameterConstraint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quantization stage: each pruned tensor's kept weights quantized by its own quantizer, and the
 * network's values replaced by the quantized ones.
 *
 * <p>Trained quantizers learn while the network retrains: hand {@link #constraints()} to a trainer
 * (only if {@link #retrains()}); post-training ones stay fixed meanwhile. {@link #tensors()} then
 * gives each tensor with its final quantization. Pruned weights stay +0.0 throughout, by their
 * masks, without a separate pruning constraint.
 */
public final class Quantization {
  private final Map<String, CompressedTensor> calibrated;
  private final Map<String, QuantizedTraining> training;
  private final Map<String, ParameterConstraint> constraints;

  private Quantization(
      Map<String, CompressedTensor> calibrated,
      Map<String, QuantizedTraining> training,
      Map<String, ParameterConstraint> constraints) {
    this.calibrated = calibrated;
    this.training = training;
    this.constraints = constraints;
  }

  /**
   * Quantizes the kept weights of each tensor in {@code pruned} as {@code specs} says and writes
   * the quantized values into {@code network}. Both maps are keyed by parameter name (e.g. {@code
   * "ip1.weight"}); each tensor's seed depends only on {@code seed} and that name.
   */
  public static Quantization apply(
      Network network,
      Map<String, CompressedTensor> pruned,
      Map<String, QuantizerSpec> specs,
      long seed) {
    if (!pruned.keySet().equals(specs.keySet())) {
      throw new IllegalArgumentException(
          "quantizers are given for " + specs.keySet() + ", pruned tensors are " + pruned.keySet());
    }
    Map<String, CompressedTensor> calibrated = new LinkedHashMap<>();
    Map<String, QuantizedTraining> training = new LinkedHashMap<>();
    Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
    for (Map.Entry<String, CompressedTensor> entry : pruned.entrySet()) {
      String name = entry.getKey();
      float[] weights = network.parameter(name).values();
      QuantizerSpec spec = specs.get(name);
      Quantizer quantizer = spec.quantizer(seed ^ 0x9E3779B97F4A7C15L * name.hashCode());
      if (spec.mode() == QuantizerSpec.Mode.TRAINED) {
        QuantizedTraining tensor = quantizer.training(entry.getValue(), weights);
        tensor.quantize(weights);
        training.put(name, tensor);
        constraints.put(name, tensor);
      } else {
        CompressedTensor tensor = quantizer.quantize(entry.getValue(), weights);
        float[] values = tensor.dequantized();
        System.arraycopy(values, 0, weights, 0, values.length);
        calibrated.put(name, tensor);
        constraints.put(name, new FrozenTensor(tensor));
      }
    }
    return new Quantization(
        Collections.unmodifiableMap(calibrated),
        Collections.unmodifiableMap(training),
        Collections.unmodifiableMap(constraints));
  }

  /** Whether any tensor's quantizer is trained, so retraining has something to learn. */
  public boolean retrains() {
    return !training.isEmpty();
  }

  /**
   * The constraints for retraining, by parameter name: trained tensors learn, post-training ones
   * stay as they are.
   */
  public Map<String, ParameterConstraint> constraints() {
    return constraints;
  }

  /** Each tensor with its current quantization, by parameter name in the order they were given. */
  public Map<String, CompressedTensor> tensors() {
    Map<String, CompressedTensor> tensors = new LinkedHashMap<>();
    for (String name : constraints.keySet()) {
      QuantizedTraining trained = training.get(name);
      tensors.put(name, trained != null ? trained.tensor() : calibrated.get(name));
    }
    return Collections.unmodifiableMap(tensors);
  }
}
