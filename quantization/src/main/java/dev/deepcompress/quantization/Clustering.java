package dev.deepcompress.quantization;

import dev.deepcompress.training.Network;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clustering stage: shares the weights of chosen layers through per-layer codebooks.
 *
 * <p>To retrain the centroids (trained quantization), hand the returned constraints to a trainer:
 * {@code new Trainer(network, solver, Map.copyOf(sharing))}; a pruned weight (exact zero) stays
 * zero through it without a pruning mask.
 */
public final class Clustering {
  private Clustering() {}

  /**
   * Clusters the weights of each layer in {@code bitsByLayer} into {@code 2^bits} centroids and
   * replaces them, in {@code network}, by their centroids. Each layer's k-means seed depends only
   * on {@code seed} and the layer's name.
   *
   * @return the weight sharing of each layer, keyed by weight parameter name (e.g. "ip1.weight"),
   *     in architecture order
   */
  public static Map<String, WeightSharing> apply(
      Network network, Map<String, Integer> bitsByLayer, KMeans1D.Init init, long seed) {
    Map<String, String> weightNames = network.architecture().weightNamesByLayer();
    for (String layer : bitsByLayer.keySet()) {
      if (!weightNames.containsKey(layer)) {
        throw new IllegalArgumentException(
            "no clusterable layer named '" + layer + "'; clusterable: " + weightNames.keySet());
      }
    }
    Map<String, WeightSharing> sharing = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : weightNames.entrySet()) {
      Integer bits = bitsByLayer.get(entry.getKey());
      if (bits != null) {
        float[] weights = network.parameter(entry.getValue()).values();
        long layerSeed = seed ^ 0x9E3779B97F4A7C15L * entry.getKey().hashCode();
        WeightSharing layer = WeightSharing.cluster(weights, bits, init, layerSeed);
        layer.quantize(weights);
        sharing.put(entry.getValue(), layer);
      }
    }
    return sharing;
  }
}
