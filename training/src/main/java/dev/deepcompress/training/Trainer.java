package dev.deepcompress.training;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs mini-batch SGD over a network; one call trains one epoch. */
public final class Trainer {

  /** Progress callbacks for long runs (a progress bar, a log). */
  public interface Listener {
    default void batchFinished(int batchIndex, int batchCount, double loss) {}
  }

  /**
   * Everything further training depends on besides the data and the batch order (a function of the
   * seed and the epoch index): the network's parameters, the optimizer's momentum, the iteration
   * count that drives the learning rate, and what each constraint learned of its own ({@link
   * ParameterConstraint#learned}). All keyed by parameter name, in the network's order; {@code
   * constraints} has an entry for each constrained parameter. Deep copies: training on changes none
   * of them.
   */
  public record State(
      long iteration,
      Map<String, float[]> parameters,
      Map<String, float[]> momentum,
      Map<String, List<float[]>> constraints) {
    public State {
      if (iteration < 0) {
        throw new IllegalArgumentException("negative iteration count " + iteration);
      }
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
      momentum = Collections.unmodifiableMap(new LinkedHashMap<>(momentum));
      constraints = Collections.unmodifiableMap(new LinkedHashMap<>(constraints));
    }

    /**
     * Checks that this state is of {@code network}'s parameters: the same names, each with as many
     * values and momentum values, and constraints on some of them only.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public void requireFits(Network network) {
      List<String> names = network.parameters().stream().map(Parameter::name).toList();
      requireNames("parameters", names, parameters.keySet());
      requireNames("momentum", names, momentum.keySet());
      for (Parameter parameter : network.parameters()) {
        String name = parameter.name();
        requireLength(name, parameter.values().length, parameters.get(name));
        requireLength(name + " momentum", parameter.values().length, momentum.get(name));
      }
      if (!names.containsAll(constraints.keySet())) {
        throw new IllegalArgumentException(
            "the saved state constrains parameters this network does not have: "
                + constraints.keySet());
      }
    }

    private static void requireNames(String what, List<String> names, Set<String> saved) {
      if (!saved.equals(new HashSet<>(names))) {
        throw new IllegalArgumentException(
            "the saved " + what + " are for " + saved + ", this network has " + names);
      }
    }

    private static void requireLength(String name, int length, float[] saved) {
      if (saved.length != length) {
        throw new IllegalArgumentException(
            name + ": " + saved.length + " saved values for " + length + " in the network");
      }
    }
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

  /** A copy of the state training continues from; see {@link State}. */
  public State state() {
    Map<String, float[]> parameters = new LinkedHashMap<>();
    Map<String, float[]> momentum = new LinkedHashMap<>();
    Map<String, List<float[]>> constraints = new LinkedHashMap<>();
    List<Parameter> list = sgd.parameters();
    for (int p = 0; p < list.size(); p++) {
      String name = list.get(p).name();
      parameters.put(name, list.get(p).values().clone());
      momentum.put(name, sgd.momentum(p));
      ParameterConstraint constraint = sgd.constraint(p);
      if (constraint != null) {
        constraints.put(name, List.copyOf(constraint.learned()));
      }
    }
    return new State(iteration, parameters, momentum, constraints);
  }

  /**
   * Continues from {@code state}, taken from a trainer of the same network, solver and constraints
   * (the constraints built again from the same inputs): this trainer then trains exactly as that
   * one would have. The network's parameters are overwritten.
   *
   * @throws IllegalArgumentException naming the first parameter or constraint that does not fit;
   *     nothing has changed then
   */
  public void restore(State state) {
    state.requireFits(network);
    List<Parameter> list = sgd.parameters();
    for (int p = 0; p < list.size(); p++) {
      if ((sgd.constraint(p) != null) != state.constraints().containsKey(list.get(p).name())) {
        throw new IllegalArgumentException(
            list.get(p).name()
                + ": the saved state and this trainer differ in whether it is"
                + " constrained");
      }
    }
    // Constraints check what they are given as they take it: on a refusal, the ones before give
    // back what they had.
    Map<Integer, List<float[]>> before = new LinkedHashMap<>();
    for (int p = 0; p < list.size(); p++) {
      ParameterConstraint constraint = sgd.constraint(p);
      if (constraint != null) {
        List<float[]> own = constraint.learned();
        try {
          constraint.restoreLearned(state.constraints().get(list.get(p).name()));
        } catch (IllegalArgumentException e) {
          before.forEach((q, learned) -> sgd.constraint(q).restoreLearned(learned));
          throw new IllegalArgumentException(list.get(p).name() + ": " + e.getMessage(), e);
        }
        before.put(p, own);
      }
    }
    for (int p = 0; p < list.size(); p++) {
      String name = list.get(p).name();
      float[] values = state.parameters().get(name);
      System.arraycopy(values, 0, list.get(p).values(), 0, values.length);
      sgd.restoreMomentum(p, state.momentum().get(name));
    }
    iteration = state.iteration();
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
