package dev.deepcompress.pruning;

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

/**
 * Gradual magnitude pruning (Zhu and Gupta 2017) in one retraining run: every Δ batches each
 * layer's mask is narrowed to the weights of largest magnitude so that its kept fraction follows a
 * {@link CubicRamp} from 1 down to the plan's, then training goes on at the final masks. Between
 * pruning steps the masks are enforced like {@link IterativePruning}'s: pruned weights, their
 * gradients and their momentum stay zero, and a pruned weight never comes back.
 *
 * <p>The run's epochs are grouped in rounds of equal length only to report and save progress the
 * way {@link IterativePruning} does (its {@link IterativePruning.Progress}, {@link
 * IterativePruning.IterationReport} and {@link IterativePruning.Listener}), so that both schedules
 * are compared over the same epochs and continue from a checkpoint in the same way.
 */
public final class GradualPruning {

  /**
   * @param rounds the run's epochs as {@code iterations} rounds of {@code epochsPerIteration}; the
   *     solver and objective retrain the whole run (one learning-rate schedule over all its
   *     batches)
   * @param rampEpochs the masks follow the ramp over this many first epochs, 0 to prune to the
   *     plan's fractions at once
   * @param stepsPerEpoch pruning steps per epoch during the ramp (Δ is the epoch's batches over
   *     this, at least 1)
   */
  public record Settings(IterativePruning.Settings rounds, int rampEpochs, int stepsPerEpoch) {
    public Settings {
      int epochs = rounds.iterations() * rounds.epochsPerIteration();
      if (rampEpochs < 0 || rampEpochs > epochs || stepsPerEpoch < 1) {
        throw new IllegalArgumentException(
            "the ramp needs 0 to "
                + epochs
                + " epochs and at least one step per epoch, got "
                + rampEpochs
                + " epochs, "
                + stepsPerEpoch
                + " steps");
      }
    }

    public SolverConfig solver() {
      return rounds.solver();
    }

    public Objective objective() {
      return rounds.objective();
    }

    /** The ramp of a tensor whose kept fraction goes from 1 to {@code kept}, in batches. */
    public CubicRamp ramp(double kept, int batchesPerEpoch) {
      long interval = Math.max(1, batchesPerEpoch / stepsPerEpoch);
      int steps = (int) ((long) rampEpochs * batchesPerEpoch / interval);
      return new CubicRamp(1, kept, 0, steps, interval);
    }
  }

  private GradualPruning() {}

  /**
   * Prunes {@code network} in place, continuing from {@code from} when given (the network's
   * parameters are then taken from it): the result is the one the uninterrupted run gives. Every
   * policy of {@code plan} must be a {@link ThresholdPolicy.KeptFraction}: the ramp ends at it. The
   * epochs drawn from {@code batches} are {@code firstEpoch, firstEpoch + 1, …}. A round's error
   * after pruning is measured on {@code monitor} right after the last pruning step up to the
   * round's end.
   *
   * @throws IllegalArgumentException if a policy is not a kept fraction, a planned parameter does
   *     not exist, or {@code from} cannot be of this run
   */
  public static IterativePruning.Result run(
      Network network,
      Map<String, ThresholdPolicy> plan,
      Settings settings,
      Batches batches,
      int firstEpoch,
      SampleSet monitor,
      Optional<IterativePruning.Progress> from,
      IterativePruning.Listener listener) {
    Map<String, Parameter> weights = IterativePruning.plannedParameters(network, plan);
    int perEpoch = batches.batchesPerEpoch();
    Map<String, CubicRamp> ramps = new LinkedHashMap<>();
    Map<String, NarrowingMask> constraints = new LinkedHashMap<>();
    plan.forEach(
        (name, policy) -> {
          if (!(policy instanceof ThresholdPolicy.KeptFraction kept)) {
            throw new IllegalArgumentException(
                "gradual pruning ramps to a kept fraction; "
                    + name
                    + " is pruned by "
                    + policy.describe());
          }
          ramps.put(name, settings.ramp(kept.keptFraction(), perEpoch));
        });
    weights.forEach(
        (name, p) -> constraints.put(name, new NarrowingMask(Mask.all(p.values().length))));
    Run run = new Run(weights, ramps, settings.ramp(1, perEpoch), constraints, network, monitor);
    IterativePruning.Settings rounds = settings.rounds();
    int epochs = rounds.epochsPerIteration();
    int startRound = 1;
    int epochsDone = 0;
    if (from.isPresent()) {
      IterativePruning.Progress progress = from.get();
      progress.requireFits(rounds, network, plan);
      progress.masks().forEach((name, mask) -> constraints.get(name).enforce(mask));
      run.stats.addAll(progress.pruned());
      run.afterPruning = progress.errorAfterPruningPct();
      run.reports.addAll(progress.finished());
      run.losses.addAll(progress.losses());
      startRound = progress.iteration();
      epochsDone = progress.epochsDone();
    }
    Trainer trainer =
        new Trainer(
            network,
            settings.solver(),
            Collections.unmodifiableMap(constraints),
            settings.objective());
    if (from.isPresent()) {
      trainer.restore(from.get().trainer());
    } else {
      run.prune(0);
      run.measure();
    }
    long roundBatches = (long) epochs * perEpoch;
    for (int round = startRound; round <= rounds.iterations(); round++) {
      long roundEnd = round * roundBatches;
      for (int e = round == startRound ? epochsDone : 0; e < epochs; e++) {
        Trainer.Listener bar = listener.epochStarted(round, e, perEpoch);
        run.losses.add(
            trainer.trainEpoch(
                batches,
                firstEpoch + (round - 1) * epochs + e,
                new Trainer.Listener() {
                  @Override
                  public void batchFinished(int index, int count, double loss) {
                    bar.batchFinished(index, count, loss);
                    run.afterBatch(trainer.iteration(), roundEnd);
                  }
                }));
        listener.epochFinished(
            new IterativePruning.Progress(
                round,
                e + 1,
                run.stats,
                run.afterPruning,
                run.masks(),
                run.reports,
                run.losses,
                trainer.state()));
      }
      double after = Evaluation.evaluate(network::predict, monitor).errorPercent();
      IterativePruning.IterationReport report =
          new IterativePruning.IterationReport(
              round, List.copyOf(run.stats), run.afterPruning, after);
      run.reports.add(report);
      listener.iterationFinished(report);
    }
    return IterativePruning.result(weights, run.masks(), run.reports, run.losses);
  }

  /** What the run has done so far, and its pruning step. */
  private static final class Run {
    final Map<String, Parameter> weights;
    final Map<String, CubicRamp> ramps;

    /** When the ramps prune: all at the same steps. */
    final CubicRamp timing;

    final Map<String, NarrowingMask> constraints;
    final Network network;
    final SampleSet monitor;
    final List<IterativePruning.TensorStats> stats = new ArrayList<>();
    final List<IterativePruning.IterationReport> reports = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();
    double afterPruning;

    Run(
        Map<String, Parameter> weights,
        Map<String, CubicRamp> ramps,
        CubicRamp timing,
        Map<String, NarrowingMask> constraints,
        Network network,
        SampleSet monitor) {
      this.weights = weights;
      this.ramps = ramps;
      this.timing = timing;
      this.constraints = constraints;
      this.network = network;
      this.monitor = monitor;
    }

    /**
     * After {@code t} training steps: prunes if it is a pruning step, and measures the error after
     * it if it is the last one up to training step {@code roundEnd}.
     */
    void afterBatch(long t, long roundEnd) {
      if (timing.isPruningStep(t)) {
        prune(t);
        if (timing.nextPruningStep(t + 1) > roundEnd) {
          measure();
        }
      }
    }

    /**
     * Narrows each mask to its ramp's kept fraction at training step {@code t}, zeroing what it
     * prunes. The momentum of a pruned weight is zeroed by its constraint at the next update,
     * before it can move the weight: the run is the one that zeroed it here.
     */
    void prune(long t) {
      int index = 0;
      for (Map.Entry<String, Parameter> entry : weights.entrySet()) {
        String name = entry.getKey();
        float[] values = entry.getValue().values();
        NarrowingMask constraint = constraints.get(name);
        ThresholdPolicy policy = new ThresholdPolicy.KeptFraction(ramps.get(name).valueAt(t));
        double threshold = policy.threshold(values, constraint.mask());
        Mask mask = constraint.mask().narrowedTo(values, threshold);
        // A step that prunes nothing leaves the stats of the step that last did.
        if (stats.size() == index || mask.keptCount() < constraint.mask().keptCount()) {
          mask.zeroPruned(values);
          constraint.enforce(mask);
          IterativePruning.TensorStats step =
              new IterativePruning.TensorStats(
                  name, values.length, mask.keptCount(), threshold, policy.describe());
          if (stats.size() == index) {
            stats.add(step);
          } else {
            stats.set(index, step);
          }
        }
        index++;
      }
    }

    void measure() {
      afterPruning = Evaluation.evaluate(network::predict, monitor).errorPercent();
    }

    Map<String, Mask> masks() {
      Map<String, Mask> masks = new LinkedHashMap<>();
      constraints.forEach((name, constraint) -> masks.put(name, constraint.mask()));
      return masks;
    }
  }

  /**
   * A {@link MaskConstraint} whose mask the run narrows between updates. It learns nothing: the
   * mask is the run's progress, saved with it.
   */
  private static final class NarrowingMask implements ParameterConstraint {
    private MaskConstraint enforced;

    NarrowingMask(Mask mask) {
      enforce(mask);
    }

    Mask mask() {
      return enforced.mask();
    }

    void enforce(Mask mask) {
      enforced = new MaskConstraint(mask);
    }

    @Override
    public void constrainGradient(float[] gradient) {
      enforced.constrainGradient(gradient);
    }

    @Override
    public void constrainValues(float[] values) {
      enforced.constrainValues(values);
    }

    @Override
    public void constrainMomentum(float[] momentum) {
      enforced.constrainMomentum(momentum);
    }
  }
}
