package dev.deepcompress.pipeline;

import dev.deepcompress.clustering.Clustering;
import dev.deepcompress.clustering.WeightSharing;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Distillation;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Objective;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compression stages in their one order: prune and retrain, cluster and retrain the centroids,
 * then encode every planned weight tensor as sparse positions plus codebook indices.
 */
final class Compressor {

  /** The encoded model, the pruning iterations and the error right after weight sharing. */
  record Result(
      Model model,
      List<IterativePruning.IterationReport> pruning,
      double errorAfterQuantizationPct) {}

  /** Epoch orders for retraining start here, so they differ from the reference run's. */
  private static final int FIRST_RETRAINING_EPOCH = 1_000;

  private Compressor() {}

  /**
   * Compresses {@code network} in place and returns the encoded model.
   *
   * @param solver the reference's solver; retraining runs it at {@code
   *     plan.retrainLearningRateScale()} of its rate
   */
  static Result run(
      Network network,
      DatasetSplits data,
      SolverConfig solver,
      int batchSize,
      long seed,
      CompressionPlan plan,
      Map<String, String> metadata,
      PrintStream console) {
    Batches batches = new Batches(data.train(), batchSize, seed);
    double retrainRate = solver.schedule().rate(0) * plan.retrainLearningRateScale();
    SolverConfig retrain = annealed(solver, retrainRate, plan.pruneEpochs(), batches);
    // The teacher is a frozen copy of the network as it comes in: the dense reference.
    Objective objective =
        plan.distilling().enabled()
            ? new Distillation(
                Network.fromModel(network.toModel(Map.of())),
                plan.distilling().temperature(),
                plan.distilling().softWeight())
            : Objective.LABELS;

    console.printf(
        "pruning: %d iterations of prune + %d epochs retraining at %s, %s%n",
        plan.pruneIterations(),
        plan.pruneEpochs(),
        retrain.schedule().describe(),
        plan.distilling().describe());
    IterativePruning.Result pruned =
        IterativePruning.run(
            network,
            plan.pruning(),
            new IterativePruning.Settings(
                plan.pruneIterations(), plan.pruneEpochs(), retrain, objective),
            batches,
            FIRST_RETRAINING_EPOCH,
            data.test(),
            new PruningProgress(console));

    Map<String, WeightSharing> sharing =
        Clustering.apply(network, plan.weightBits(), plan.init(), seed);
    double quantized = Evaluation.evaluate(network::predict, data.test()).errorPercent();
    console.printf(
        "weight sharing (%s init): test error %.2f%% before centroid retraining%n",
        plan.init().name().toLowerCase(Locale.ROOT), quantized);
    Map<String, ParameterConstraint> constraints = new LinkedHashMap<>(sharing);
    ReferenceTraining.runEpochs(
        new Trainer(
            network,
            annealed(solver, retrainRate, plan.clusterEpochs(), batches),
            constraints,
            objective),
        batches,
        FIRST_RETRAINING_EPOCH + plan.pruneIterations() * plan.pruneEpochs(),
        plan.clusterEpochs(),
        data.test(),
        "centroid retraining",
        console);

    return new Result(encode(network, plan, metadata), pruned.iterations(), quantized);
  }

  /**
   * Retraining at {@code rate} for the first half of a phase and a tenth of it for the second: the
   * drop settles the weights the way the reference's own schedule did.
   */
  private static SolverConfig annealed(
      SolverConfig solver, double rate, int epochs, Batches batches) {
    long half = (long) Math.max(1, (epochs + 1) / 2) * batches.batchesPerEpoch();
    return solver.withSchedule(new LearningRateSchedule.Step(rate, 0.1, half));
  }

  /** Planned weight tensors become sparse-quantized; everything else stays dense fp32. */
  static Model encode(Network network, CompressionPlan plan, Map<String, String> metadata) {
    Architecture architecture = network.architecture();
    Map<String, String> layerByWeight = new LinkedHashMap<>();
    architecture.weightNamesByLayer().forEach((layer, weight) -> layerByWeight.put(weight, layer));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] values = network.parameter(spec.name()).values().clone();
      String layer = layerByWeight.get(spec.name());
      if (layer != null && plan.weightBits().containsKey(layer)) {
        int indexBits = plan.weightBits().get(layer);
        int gapBits = plan.gapBits().get(layer);
        tensors.put(
            spec.name(),
            gapBits == CompressionPlan.AUTO_GAP_BITS
                ? smallestEncoding(spec, values, indexBits)
                : SparseQuantizedTensor.fromDense(spec, values, indexBits, gapBits));
      } else {
        tensors.put(spec.name(), new DenseTensor(spec.shape(), values));
      }
    }
    return network.withPreprocessing(Model.ofTensors(architecture, tensors, metadata));
  }

  /**
   * The gap width that makes this tensor smallest once Huffman-coded. Wider fields need fewer
   * fillers and the Huffman code keeps short gaps short, so the best width is often above the
   * paper's fixed-width choice.
   */
  private static SparseQuantizedTensor smallestEncoding(
      ParameterSpec spec, float[] values, int indexBits) {
    SparseQuantizedTensor best = null;
    int bestBytes = Integer.MAX_VALUE;
    for (int gapBits = 1; gapBits <= SparseQuantizedTensor.MAX_GAP_BITS; gapBits++) {
      SparseQuantizedTensor candidate =
          SparseQuantizedTensor.fromDense(spec, values, indexBits, gapBits);
      int bytes = ModelFile.encodedBytes(spec, candidate);
      if (bytes < bestBytes) {
        best = candidate;
        bestBytes = bytes;
      }
    }
    return best;
  }

  /** One line per pruning iteration, a progress bar per retraining epoch. */
  private record PruningProgress(PrintStream console) implements IterativePruning.Listener {
    @Override
    public Trainer.Listener epochStarted(int iteration, int epoch, int batches) {
      return new EpochProgress("prune " + iteration + ", epoch " + (epoch + 1), batches);
    }

    @Override
    public void iterationFinished(IterativePruning.IterationReport report) {
      StringBuilder kept = new StringBuilder();
      for (IterativePruning.LayerStats layer : report.layers()) {
        kept.append(String.format("  %s %.1f%%", layer.layer(), 100 * layer.keptFraction()));
      }
      console.printf(
          "prune %d: kept%s; test error %.2f%% after pruning, %.2f%% after retraining%n",
          report.iteration(), kept, report.errorAfterPruningPct(), report.errorPct());
    }
  }
}
