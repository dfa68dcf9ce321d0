package dev.deepcompress.pruning;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Objective;
import dev.deepcompress.training.Parameter;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prune by magnitude, retrain with the masks enforced, repeat (Han et al. 2015, 2016). */
public final class IterativePruning {

  /**
   * @param iterations prune-retrain rounds; per-layer targets are approached in this many steps
   * @param epochsPerIteration retraining epochs after each pruning step
   * @param solver the solver for retraining (the paper: the original one at 1/10 of the rate)
   * @param objective what retraining minimises (the paper: the labels' loss)
   */
  public record Settings(
      int iterations, int epochsPerIteration, SolverConfig solver, Objective objective) {
    public Settings {
      if (iterations < 1 || epochsPerIteration < 0) {
        throw new IllegalArgumentException(
            "need at least one iteration and a non-negative number of epochs");
      }
    }

    /** Retraining on the labels alone, as the paper does. */
    public Settings(int iterations, int epochsPerIteration, SolverConfig solver) {
      this(iterations, epochsPerIteration, solver, Objective.LABELS);
    }
  }

  public record LayerStats(String layer, int weights, int kept, double threshold, String policy) {
    public double keptFraction() {
      return (double) kept / weights;
    }
  }

  public record IterationReport(
      int iteration, List<LayerStats> layers, double errorAfterPruningPct, double errorPct) {}

  public record Result(Map<String, PruningMask> masks, List<IterationReport> iterations) {}

  /** Progress of a long run. */
  public interface Listener {
    default Trainer.Listener epochStarted(int iteration, int epoch, int batches) {
      return new Trainer.Listener() {};
    }

    default void iterationFinished(IterationReport report) {}
  }

  private IterativePruning() {}

  /**
   * Prunes {@code network} in place. {@code plan} maps layer names to their policy; layers not in
   * the plan are left dense. Retraining draws epochs {@code firstEpoch, firstEpoch + 1, …} of
   * {@code batches} so that their order differs from the reference run's.
   */
  public static Result run(
      Network network,
      Map<String, ThresholdPolicy> plan,
      Settings settings,
      Batches batches,
      int firstEpoch,
      SampleSet test,
      Listener listener) {
    Map<String, Parameter> weights = weightsByLayer(network, plan);
    Map<String, PruningMask> masks = new LinkedHashMap<>();
    weights.forEach((layer, p) -> masks.put(layer, PruningMask.dense(p.values().length)));
    List<IterationReport> reports = new ArrayList<>();
    int epoch = firstEpoch;
    for (int iteration = 1; iteration <= settings.iterations(); iteration++) {
      List<LayerStats> stats = new ArrayList<>();
      for (Map.Entry<String, Parameter> entry : weights.entrySet()) {
        String layer = entry.getKey();
        float[] values = entry.getValue().values();
        ThresholdPolicy policy = plan.get(layer).atStep(iteration, settings.iterations());
        double threshold = policy.threshold(values, masks.get(layer));
        PruningMask mask = masks.get(layer).narrowedTo(values, threshold);
        mask.apply(values);
        masks.put(layer, mask);
        stats.add(
            new LayerStats(layer, values.length, mask.keptCount(), threshold, policy.describe()));
      }
      double afterPruning = Evaluation.evaluate(network::predict, test).errorPercent();
      Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
      masks.forEach((layer, mask) -> constraints.put(weights.get(layer).name(), mask));
      Trainer trainer = new Trainer(network, settings.solver(), constraints, settings.objective());
      for (int e = 0; e < settings.epochsPerIteration(); e++) {
        trainer.trainEpoch(
            batches, epoch, listener.epochStarted(iteration, e, batches.batchesPerEpoch()));
        epoch++;
      }
      double after = Evaluation.evaluate(network::predict, test).errorPercent();
      IterationReport report =
          new IterationReport(iteration, List.copyOf(stats), afterPruning, after);
      reports.add(report);
      listener.iterationFinished(report);
    }
    return new Result(Map.copyOf(masks), List.copyOf(reports));
  }

  /** The weight tensor of each planned layer, in architecture order. */
  static Map<String, Parameter> weightsByLayer(Network network, Map<String, ThresholdPolicy> plan) {
    Map<String, String> weightNames = network.architecture().weightNamesByLayer();
    for (String layer : plan.keySet()) {
      if (!weightNames.containsKey(layer)) {
        throw new IllegalArgumentException(
            "no prunable layer named '" + layer + "'; prunable: " + weightNames.keySet());
      }
    }
    Map<String, Parameter> byLayer = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : weightNames.entrySet()) {
      if (plan.containsKey(entry.getKey())) {
        byLayer.put(entry.getKey(), network.parameter(entry.getValue()));
      }
    }
    return byLayer;
  }
}
