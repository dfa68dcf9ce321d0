package dev.deepcompress.pipeline;

import dev.deepcompress.clustering.KMeans1D;
import dev.deepcompress.pruning.ThresholdPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to do to each layer: how to prune it, how many bits its codebook indices and position gaps
 * get, and how long to retrain after each stage. Maps are keyed by layer name.
 */
record CompressionPlan(
    Map<String, ThresholdPolicy> pruning,
    Map<String, Integer> weightBits,
    Map<String, Integer> gapBits,
    int pruneIterations,
    int pruneEpochs,
    int clusterEpochs,
    double retrainLearningRateScale,
    KMeans1D.Init init) {

  CompressionPlan {
    pruning = Map.copyOf(pruning);
    weightBits = Map.copyOf(weightBits);
    gapBits = Map.copyOf(gapBits);
    if (!pruning.keySet().equals(weightBits.keySet())
        || !pruning.keySet().equals(gapBits.keySet())) {
      throw new UserInputException(
          "every compressed layer needs a pruning target, weight bits and gap bits; got pruning for "
              + pruning.keySet()
              + ", bits for "
              + weightBits.keySet()
              + ", gap bits for "
              + gapBits.keySet());
    }
    if (pruneIterations < 1 || pruneEpochs < 0 || clusterEpochs < 0) {
      throw new UserInputException(
          "pruning needs at least one iteration; epoch counts cannot be negative");
    }
  }

  /** The paper's per-layer settings for a model it reports on, with our retraining lengths. */
  static CompressionPlan paper(PaperResults paper) {
    Map<String, ThresholdPolicy> pruning = new LinkedHashMap<>();
    Map<String, Integer> bits = new LinkedHashMap<>();
    Map<String, Integer> gaps = new LinkedHashMap<>();
    for (PaperResults.Layer layer : paper.layers()) {
      pruning.put(layer.name(), new ThresholdPolicy.KeptFraction(layer.keptPct() / 100));
      bits.put(layer.name(), layer.weightBits());
      gaps.put(layer.name(), layer.indexBits());
    }
    return new CompressionPlan(pruning, bits, gaps, 4, 5, 5, 0.1, KMeans1D.Init.LINEAR);
  }
}
