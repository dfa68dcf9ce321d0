package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ParameterConstraint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clustering stage: the kept weights of each pruned tensor share a per-tensor k-means codebook.
 *
 * <p>To retrain the centroids (trained quantization), hand {@link #constraints()} to a trainer;
 * afterwards {@link #tensors()} gives each tensor with its retrained codebook. Pruned weights stay
 * +0.0 throughout, by their masks, without a separate pruning constraint.
 */
public final class Clustering {
  private final Map<String, WeightSharing> sharing;

  private Clustering(Map<String, WeightSharing> sharing) {
    this.sharing = sharing;
  }

  /**
   * Clusters the kept weights of each tensor in {@code pruned} into {@code 2^bits} centroids and
   * replaces them, in {@code network}, by their centroids. Both maps are keyed by parameter name
   * (e.g. "ip1.weight"); each tensor's k-means seed depends only on {@code seed} and that name.
   */
  public static Clustering apply(
      Network network,
      Map<String, CompressedTensor> pruned,
      Map<String, Integer> bits,
      KMeans1D.Init init,
      long seed) {
    if (!pruned.keySet().equals(bits.keySet())) {
      throw new IllegalArgumentException(
          "index bits are given for " + bits.keySet() + ", pruned tensors are " + pruned.keySet());
    }
    Map<String, WeightSharing> sharing = new LinkedHashMap<>();
    for (Map.Entry<String, CompressedTensor> entry : pruned.entrySet()) {
      String name = entry.getKey();
      float[] weights = network.parameter(name).values();
      long tensorSeed = seed ^ 0x9E3779B97F4A7C15L * name.hashCode();
      WeightSharing tensor =
          WeightSharing.cluster(entry.getValue(), weights, bits.get(name), init, tensorSeed);
      tensor.quantize(weights);
      sharing.put(name, tensor);
    }
    return new Clustering(sharing);
  }

  /** The constraints that retrain the centroids, by parameter name. */
  public Map<String, ParameterConstraint> constraints() {
    return Collections.unmodifiableMap(sharing);
  }

  /** Each tensor with its current codebook, by parameter name in the order they were given. */
  public Map<String, CompressedTensor> tensors() {
    Map<String, CompressedTensor> tensors = new LinkedHashMap<>();
    sharing.forEach((name, tensor) -> tensors.put(name, tensor.tensor()));
    return Collections.unmodifiableMap(tensors);
  }
}
