package dev.deepcompress.pipeline;

import dev.deepcompress.compression.Quantized;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Collections;
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
    KMeans1D.Init init,
    Distilling distilling) {

  /**
   * Retraining towards the reference network's softened outputs as well as the labels (knowledge
   * distillation); a soft weight of 0 retrains on the labels alone, as the paper does.
   */
  record Distilling(double temperature, double softWeight) {
    static final Distilling OFF = new Distilling(1, 0);

    Distilling {
      if (!(temperature > 0) || Double.isInfinite(temperature)) {
        throw new UserInputException(
            "distillation temperature must be positive, got " + temperature);
      }
      if (!(softWeight >= 0 && softWeight <= 1)) {
        throw new UserInputException(
            "distillation weight must be between 0 and 1, got " + softWeight);
      }
    }

    boolean enabled() {
      return softWeight > 0;
    }

    String describe() {
      return enabled()
          ? String.format(
              "labels and the reference's outputs (distillation T=%s, weight %s)",
              temperature, softWeight)
          : "labels only";
    }
  }

  CompressionPlan {
    pruning = inGivenOrder(pruning);
    weightBits = inGivenOrder(weightBits);
    gapBits = inGivenOrder(gapBits);
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
    for (Map.Entry<String, Integer> entry : gapBits.entrySet()) {
      if (entry.getValue() != AUTO_GAP_BITS
          && (entry.getValue() < 1 || entry.getValue() > SparseQuantizedTensor.MAX_GAP_BITS)) {
        throw new UserInputException(
            "gap bits of "
                + entry.getKey()
                + " must be 1-"
                + SparseQuantizedTensor.MAX_GAP_BITS
                + " (or auto), got "
                + entry.getValue());
      }
    }
    for (Map.Entry<String, Integer> entry : weightBits.entrySet()) {
      if (entry.getValue() < 1 || entry.getValue() > Quantized.MAX_BITS) {
        throw new UserInputException(
            "weight bits of "
                + entry.getKey()
                + " must be 1-"
                + Quantized.MAX_BITS
                + ", got "
                + entry.getValue());
      }
    }
    if (pruneIterations < 1 || pruneEpochs < 0 || clusterEpochs < 0) {
      throw new UserInputException(
          "pruning needs at least one iteration; epoch counts cannot be negative");
    }
  }

  /**
   * An unmodifiable copy that iterates as {@code map} does. The plan is written into the file as
   * text, so its order must not change from run to run ({@code Map.copyOf}'s does).
   */
  private static <V> Map<String, V> inGivenOrder(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Gap bits value meaning: try every width and keep the one giving the smallest tensor. */
  static final int AUTO_GAP_BITS = 0;

  static final int DEFAULT_PRUNE_ITERATIONS = 6;
  static final int DEFAULT_PRUNE_EPOCHS = 10;
  static final int DEFAULT_CLUSTER_EPOCHS = 12;

  /**
   * Where our defaults part from the paper's per-layer table, by model: kept fractions that give a
   * smaller file at the reference's accuracy. LeNet-300-100's ip1 holds 88% of its weights; at 7%
   * instead of 8% the file drops under the paper's 40× bound with the error still within 0.1
   * points. LeNet-5's ip1 holds 93% of its weights and its convolutions decide its accuracy: with
   * the paper's 12% for conv2 the error rose with every pruning round (0.67% → 0.77% at a third of
   * the way), so conv2 keeps 20% and ip1, at 6%, pays for it.
   */
  private static final Map<String, Map<String, Double>> KEPT_FRACTIONS =
      Map.of("lenet-300-100", Map.of("ip1", 0.07), "lenet-5", Map.of("conv2", 0.20, "ip1", 0.06));

  /**
   * Models whose retraining also distils from the reference by default: LeNet-5, whose pruned
   * network otherwise drifts from the reference as retraining fits the labels alone.
   */
  private static final Map<String, Distilling> DISTILLING =
      Map.of("lenet-5", new Distilling(2, 0.5));

  /**
   * Retraining runs at this fraction of the reference's base rate unless a model says otherwise.
   */
  static final double DEFAULT_RETRAINING_RATE_SCALE = 0.1;

  /**
   * LeNet-5 retrains at 0.001, the paper's own retraining rate (a tenth of Caffe's 0.01): at a
   * tenth of our faster reference schedule's 0.05, each round of retraining raised its test error
   * (0.70% → 0.74% in the third round) instead of recovering what pruning cost.
   */
  private static final Map<String, Double> RETRAINING_RATE_SCALES = Map.of("lenet-5", 0.02);

  /** The same plan with every layer's gap width chosen by size. */
  CompressionPlan withAutoGapBits() {
    Map<String, Integer> auto = new LinkedHashMap<>();
    gapBits.keySet().forEach(layer -> auto.put(layer, AUTO_GAP_BITS));
    return new CompressionPlan(
        pruning,
        weightBits,
        auto,
        pruneIterations,
        pruneEpochs,
        clusterEpochs,
        retrainLearningRateScale,
        init,
        distilling);
  }

  /**
   * The paper's per-layer settings for a model it reports on (bits, gap bits, kept fractions, the
   * latter changed where {@link #KEPT_FRACTIONS} says), with our retraining lengths, rates and
   * objective.
   */
  static CompressionPlan paper(PaperResults paper) {
    Map<String, Double> ours = KEPT_FRACTIONS.getOrDefault(paper.model(), Map.of());
    Map<String, ThresholdPolicy> pruning = new LinkedHashMap<>();
    Map<String, Integer> bits = new LinkedHashMap<>();
    Map<String, Integer> gaps = new LinkedHashMap<>();
    for (PaperResults.Layer layer : paper.layers()) {
      double kept = ours.getOrDefault(layer.name(), layer.keptPct() / 100);
      pruning.put(layer.name(), new ThresholdPolicy.KeptFraction(kept));
      bits.put(layer.name(), (int) layer.weightBits());
      gaps.put(layer.name(), layer.indexBits());
    }
    return new CompressionPlan(
        pruning,
        bits,
        gaps,
        DEFAULT_PRUNE_ITERATIONS,
        DEFAULT_PRUNE_EPOCHS,
        DEFAULT_CLUSTER_EPOCHS,
        RETRAINING_RATE_SCALES.getOrDefault(paper.model(), DEFAULT_RETRAINING_RATE_SCALE),
        KMeans1D.Init.LINEAR,
        DISTILLING.getOrDefault(paper.model(), Distilling.OFF));
  }
}
