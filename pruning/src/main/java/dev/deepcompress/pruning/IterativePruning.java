package dev.deepcompress.pruning;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
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
import java.util.Collections;
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

  /** One pruned tensor after one iteration. */
  public record TensorStats(String tensor, int weights, int kept, double threshold, String policy) {
    public double keptFraction() {
      return (double) kept / weights;
    }
  }

  public record IterationReport(
      int iteration, List<TensorStats> tensors, double errorAfterPruningPct, double errorPct) {}

  /** Every planned tensor with its final mask, by parameter name in architecture order. */
  public record Result(Map<String, CompressedTensor> tensors, List<IterationReport> iterations) {}

  /** Progress of a long run. */
  public interface Listener {
    default Trainer.Listener epochStarted(int iteration, int epoch, int batches) {
      return new Trainer.Listener() {};
    }

    default void iterationFinished(IterationReport report) {}
  }

  private IterativePruning() {}

  /**
   * Prunes {@code network} in place. {@code plan} maps weight parameter names (e.g. {@code
   * "ip1.weight"}) to their policy; tensors not in the plan are left dense. Retraining draws epochs
   * {@code firstEpoch, firstEpoch + 1, …} of {@code batches} so that their order differs from the
   * reference run's.
   */
  public static Result run(
      Network network,
      Map<String, ThresholdPolicy> plan,
      Settings settings,
      Batches batches,
      int firstEpoch,
      SampleSet test,
      Listener listener) {
    Map<String, Parameter> weights = plannedParameters(network, plan);
    Map<String, Mask> masks = new LinkedHashMap<>();
    weights.forEach((name, p) -> masks.put(name, Mask.all(p.values().length)));
    List<IterationReport> reports = new ArrayList<>();
    int epoch = firstEpoch;
    for (int iteration = 1; iteration <= settings.iterations(); iteration++) {
      List<TensorStats> stats = new ArrayList<>();
      for (Map.Entry<String, Parameter> entry : weights.entrySet()) {
        String name = entry.getKey();
        float[] values = entry.getValue().values();
        ThresholdPolicy policy = plan.get(name).atStep(iteration, settings.iterations());
        double threshold = policy.threshold(values, masks.get(name));
        Mask mask = masks.get(name).narrowedTo(values, threshold);
        mask.zeroPruned(values);
        masks.put(name, mask);
        stats.add(
            new TensorStats(name, values.length, mask.keptCount(), threshold, policy.describe()));
      }
      double afterPruning = Evaluation.evaluate(network::predict, test).errorPercent();
      Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
      masks.forEach((name, mask) -> constraints.put(name, new MaskConstraint(mask)));
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
    Map<String, CompressedTensor> pruned = new LinkedHashMap<>();
    masks.forEach(
        (name, mask) -> pruned.put(name, CompressedTensor.pruned(weights.get(name).spec(), mask)));
    return new Result(Collections.unmodifiableMap(pruned), List.copyOf(reports));
  }

  /** The planned parameters, in architecture order. */
  static Map<String, Parameter> plannedParameters(
      Network network, Map<String, ThresholdPolicy> plan) {
    Map<String, Parameter> planned = new LinkedHashMap<>();
    for (Parameter parameter : network.parameters()) {
      if (plan.containsKey(parameter.name())) {
        planned.put(parameter.name(), parameter);
      }
    }
    for (String name : plan.keySet()) {
      if (!planned.containsKey(name)) {
        throw new IllegalArgumentException(
            "no parameter named '"
                + name
                + "' to prune; the network has "
                + network.parameters().stream().map(Parameter::name).toList());
      }
    }
    return planned;
  }
}
