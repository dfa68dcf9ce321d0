package dev.deepcompress.training;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import java.util.Map;

/** Runs mini-batch SGD over a network; one call trains one epoch. */
public final class Trainer {

  /** Progress callbacks for long runs (a progress bar, a log). */
  public interface Listener {
    default void batchFinished(int batchIndex, int batchCount, double loss) {}
  }

  private final Network network;
  private final Sgd sgd;
  private final Objective objective;
  private float[] lossGradient;
  private long iteration;

  public Trainer(Network network, SolverConfig config) {
    this(network, config, Map.of());
  }

  /** A trainer whose updates respect {@code constraints} (by parameter name). */
  public Trainer(
      Network network, SolverConfig config, Map<String, ParameterConstraint> constraints) {
    this(network, config, constraints, Objective.LABELS);
  }

  /** A constrained trainer that minimises {@code objective} instead of the labels' loss. */
  public Trainer(
      Network network,
      SolverConfig config,
      Map<String, ParameterConstraint> constraints,
      Objective objective) {
    this.network = network;
    this.sgd = new Sgd(network.parameters(), config, constraints);
    this.objective = objective;
  }

  public Network network() {
    return network;
  }

  /** Iterations (mini-batches) done so far; drives the learning-rate schedule. */
  public long iteration() {
    return iteration;
  }

  /**
   * Trains one pass over {@code batches} in the order of epoch {@code epochIndex}; returns the mean
   * loss.
   */
  public double trainEpoch(Batches batches, int epochIndex, Listener listener) {
    int classes = network.outputCount();
    int batchCount = batches.batchesPerEpoch();
    double lossSum = 0;
    int index = 0;
    for (Batch batch : batches.epoch(epochIndex)) {
      lossGradient = BatchBuffers.ensure(lossGradient, batch.size() * classes);
      float[] logits = network.forward(batch.inputs(), batch.size());
      double loss = objective.lossAndGradient(batch, logits, classes, lossGradient);
      if (!Double.isFinite(loss)) {
        throw new TrainingDivergedException(iteration, loss);
      }
      network.backward(lossGradient, batch.size());
      sgd.step(iteration);
      iteration++;
      lossSum += loss;
      listener.batchFinished(index++, batchCount, loss);
    }
    return lossSum / index;
  }
}
