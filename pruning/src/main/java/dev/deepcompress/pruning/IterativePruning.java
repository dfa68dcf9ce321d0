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
import java.util.Optional;

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

  /**
   * Every planned tensor with its final mask, by parameter name in architecture order; the
   * iterations; and the mean loss of every retraining epoch, iterations in order.
   */
  public record Result(
      Map<String, CompressedTensor> tensors,
      List<IterationReport> iterations,
      List<Double> losses) {}

  /**
   * Where a run stands after a retraining epoch: enough to continue it exactly ({@link #run} with
   * the same network as it came in, plan and settings, and this) and to report on what came before.
   *
   * @param iteration the iteration under way, from 1
   * @param epochsDone its retraining epochs finished, from 1 to {@link Settings#epochsPerIteration}
   * @param pruned this iteration's pruning of each tensor
   * @param errorAfterPruningPct the error right after this iteration's pruning
   * @param masks each tensor's mask since this iteration's pruning, by parameter name
   * @param finished the reports of the iterations before
   * @param losses the mean loss of every retraining epoch so far, iterations in order
   * @param trainer the retraining's state: parameters, momentum, iteration count
   */
  public record Progress(
      int iteration,
      int epochsDone,
      List<TensorStats> pruned,
      double errorAfterPruningPct,
      Map<String, Mask> masks,
      List<IterationReport> finished,
      List<Double> losses,
      Trainer.State trainer) {
    public Progress {
      pruned = List.copyOf(pruned);
      masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
      finished = List.copyOf(finished);
      losses = List.copyOf(losses);
    }

    /**
     * Checks that this progress can be of a run of {@code plan} over {@code network} with {@code
     * settings}, so that {@link #run} continues from it without changing anything first.
     *
     * @throws IllegalArgumentException saying what does not fit
     */
    public void requireFits(Settings settings, Network network, Map<String, ThresholdPolicy> plan) {
      Map<String, Parameter> weights = plannedParameters(network, plan);
      int epochs = settings.epochsPerIteration();
      String problem = null;
      if (iteration < 1 || iteration > settings.iterations()) {
        problem = "iteration " + iteration + " of " + settings.iterations();
      } else if (epochsDone < 1 || epochsDone > epochs) {
        problem = epochsDone + " epochs done of " + epochs;
      } else if (finished.size() != iteration - 1) {
        problem = finished.size() + " reports before iteration " + iteration;
      } else if (losses.size() != (iteration - 1) * epochs + epochsDone) {
        problem =
            losses.size() + " epoch losses at iteration " + iteration + ", epoch " + epochsDone;
      } else if (!masks.keySet().equals(weights.keySet())) {
        problem = "masks for " + masks.keySet() + ", planned " + weights.keySet();
      } else if (!trainer.constraints().keySet().equals(masks.keySet())
          || trainer.constraints().values().stream().anyMatch(learned -> !learned.isEmpty())) {
        problem = "the trainer's constraints are not the masks";
      } else {
        for (Map.Entry<String, Mask> mask : masks.entrySet()) {
          int size = weights.get(mask.getKey()).values().length;
          if (mask.getValue().size() != size) {
            problem = mask.getKey() + ": mask of " + mask.getValue().size() + " for " + size;
          }
        }
      }
      if (problem != null) {
        throw new IllegalArgumentException("pruning progress does not fit the run: " + problem);
      }
      trainer.requireFits(network);
    }
  }

  /** Progress of a long run. */
  public interface Listener {
    default Trainer.Listener epochStarted(int iteration, int epoch, int batches) {
      return new Trainer.Listener() {};
    }

    /**
     * After each retraining epoch, with everything needed to continue from there; the values are
     * copies the run no longer changes.
     */
    default void epochFinished(Progress progress) {}

    default void iterationFinished(IterationReport report) {}
  }

  private IterativePruning() {}

  /**
   * Prunes {@code network} in place. {@code plan} maps weight parameter names (e.g. {@code
   * "ip1.weight"}) to their policy; tensors not in the plan are left dense. Retraining draws epochs
   * {@code firstEpoch, firstEpoch + 1, …} of {@code batches} so that their order differs from the
   * reference run's. The errors reported are on {@code monitor}: the validation split when one is
   * held out.
   */
  public static Result run(
      Network network,
      Map<String, ThresholdPolicy> plan,
      Settings settings,
      Batches batches,
      int firstEpoch,
      SampleSet monitor,
      Listener listener) {
    return run(network, plan, settings, batches, firstEpoch, monitor, Optional.empty(), listener);
  }

  /**
   * {@link #run(Network, Map, Settings, Batches, int, SampleSet, Listener) Prunes}, continuing from
   * {@code from} when given (the network's parameters are then taken from it): the result is the
   * one the uninterrupted run gives.
   *
   * @throws IllegalArgumentException if {@code from} cannot be of this run
   */
  public static Result run(
      Network network,
      Map<String, ThresholdPolicy> plan,
      Settings settings,
      Batches batches,
      int firstEpoch,
      SampleSet monitor,
      Optional<Progress> from,
      Listener listener) {
    Map<String, Parameter> weights = plannedParameters(network, plan);
    Map<String, Mask> masks = new LinkedHashMap<>();
    weights.forEach((name, p) -> masks.put(name, Mask.all(p.values().length)));
    List<IterationReport> reports = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    int epochs = settings.epochsPerIteration();
    int startIteration = 1;
    if (from.isPresent()) {
      Progress progress = from.get();
      progress.requireFits(settings, network, plan);
      masks.putAll(progress.masks());
      reports.addAll(progress.finished());
      losses.addAll(progress.losses());
      startIteration = progress.iteration();
    }
    for (int iteration = startIteration; iteration <= settings.iterations(); iteration++) {
      List<TensorStats> stats = new ArrayList<>();
      double afterPruning;
      int epochsDone = 0;
      boolean resuming = from.isPresent() && iteration == startIteration;
      if (resuming) {
        stats.addAll(from.get().pruned());
        afterPruning = from.get().errorAfterPruningPct();
        epochsDone = from.get().epochsDone();
      } else {
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
        afterPruning = Evaluation.evaluate(network::predict, monitor).errorPercent();
      }
      Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
      masks.forEach((name, mask) -> constraints.put(name, new MaskConstraint(mask)));
      Trainer trainer = new Trainer(network, settings.solver(), constraints, settings.objective());
      if (resuming) {
        trainer.restore(from.get().trainer());
      }
      for (int e = epochsDone; e < epochs; e++) {
        losses.add(
            trainer.trainEpoch(
                batches,
                firstEpoch + (iteration - 1) * epochs + e,
                listener.epochStarted(iteration, e, batches.batchesPerEpoch())));
        listener.epochFinished(
            new Progress(
                iteration, e + 1, stats, afterPruning, masks, reports, losses, trainer.state()));
      }
      double after = Evaluation.evaluate(network::predict, monitor).errorPercent();
      IterationReport report =
          new IterationReport(iteration, List.copyOf(stats), afterPruning, after);
      reports.add(report);
      listener.iterationFinished(report);
    }
    return result(weights, masks, reports, losses);
  }

  /** The result of a run that ends with {@code masks} on {@code weights}. */
  static Result result(
      Map<String, Parameter> weights,
      Map<String, Mask> masks,
      List<IterationReport> reports,
      List<Double> losses) {
    Map<String, CompressedTensor> pruned = new LinkedHashMap<>();
    masks.forEach(
        (name, mask) -> pruned.put(name, CompressedTensor.pruned(weights.get(name).spec(), mask)));
    return new Result(
        Collections.unmodifiableMap(pruned), List.copyOf(reports), List.copyOf(losses));
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
