package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.GradualPruning;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.pruning.UnusedUnits;
import dev.deepcompress.quantization.Quantization;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Distillation;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Objective;
import dev.deepcompress.training.Parameter;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The paper's three stages in their one order: prune and retrain, quantize and retrain, encode.
 * Each stage takes the compressed-tensor values of the one before, keyed by weight parameter name
 * (e.g. "ip1.weight"), and returns the next; the network they retrain is changed in place.
 */
final class Compressor {

  /** What quantization hands on: every tensor with its final quantization. */
  private record QuantizedTensors(
      Map<String, CompressedTensor> tensors,
      double errorBeforeRetrainingPct,
      List<Double> losses) {}

  /** The names of the stages' checkpoints. */
  static final String PRUNING = "pruning";

  static final String QUANTIZATION = "quantization";

  /** Epoch orders for retraining start here, so they differ from the reference run's. */
  static final int FIRST_RETRAINING_EPOCH = 1_000;

  private final Network network;
  private final CompressionPlan plan;

  /** The weight tensor of each layer in the plan ("ip1" → "ip1.weight"), in architecture order. */
  private final Map<String, String> tensorOfLayer;

  private final Batches batches;
  private final Monitor monitor;
  private final SolverConfig solver;
  private final double retrainRate;
  private final Objective objective;
  private final long seed;
  private final PrintStream console;
  private final Checkpoints checkpoints;
  private final Supplier<RunSettings> settings;
  private RunSettings knownSettings;

  private Compressor(
      Network network,
      CompressionPlan plan,
      Batches batches,
      Monitor monitor,
      SolverConfig solver,
      long seed,
      PrintStream console,
      Checkpoints checkpoints,
      Supplier<RunSettings> settings) {
    this.network = network;
    this.plan = plan;
    this.tensorOfLayer = plan.weightTensors(network.architecture());
    this.batches = batches;
    this.monitor = monitor;
    this.solver = solver;
    this.retrainRate = solver.schedule().rate(0) * plan.retraining().learningRateScale();
    this.objective = objective(network, plan.retraining().distilling());
    this.seed = seed;
    this.console = console;
    this.checkpoints = checkpoints;
    this.settings = settings;
  }

  /** The run's settings, worked out once and only if checkpoints are kept. */
  private Checkpoints.Stage checkpoints(String stage) {
    return checkpoints.stage(
        stage,
        () -> {
          if (knownSettings == null) {
            knownSettings = settings.get();
          }
          return knownSettings;
        });
  }

  /**
   * Compresses {@code network} in place and returns the encoded model.
   *
   * @param solver the reference's solver; retraining runs it at {@code
   *     plan.retraining().learningRateScale()} of its rate
   * @param checkpoints where the stages save their progress and continue from it
   * @param settings the settings that decide the result, under which checkpoints are saved
   */
  static Compression.Result run(
      Network network,
      DatasetSplits data,
      SolverConfig solver,
      int batchSize,
      long seed,
      CompressionPlan plan,
      boolean pruneUnusedUnits,
      Map<String, String> metadata,
      PrintStream console,
      Checkpoints checkpoints,
      Supplier<RunSettings> settings) {
    Compressor stages =
        new Compressor(
            network,
            plan,
            new Batches(data.train(), batchSize, seed),
            Monitor.of(data),
            solver,
            seed,
            console,
            checkpoints,
            settings);
    IterativePruning.Result pruned = stages.pruneAndRetrain();
    Map<String, CompressedTensor> kept =
        pruneUnusedUnits ? unusedUnitsPruned(network, pruned.tensors(), console) : pruned.tensors();
    Map<String, float[]> afterPruning = new LinkedHashMap<>();
    kept.keySet().forEach(n -> afterPruning.put(n, network.parameter(n).values().clone()));
    QuantizedTensors quantized = stages.quantizeAndRetrain(kept);
    Model model =
        encode(network, quantized.tensors(), stages.byTensor(layer -> layer.gapBits()), metadata);
    return new Compression.Result(
        model,
        quantized.tensors(),
        pruned.iterations(),
        quantized.errorBeforeRetrainingPct(),
        stages.monitor.name(),
        Collections.unmodifiableMap(afterPruning),
        pruned.losses(),
        quantized.losses());
  }

  /**
   * The pruned tensors with every unit that no kept weight reads any more pruned as well ({@link
   * UnusedUnits}), zeroed in {@code network}: the network computes exactly what it did.
   */
  static Map<String, CompressedTensor> unusedUnitsPruned(
      Network network, Map<String, CompressedTensor> pruned, PrintStream console) {
    Map<String, Mask> masks = new LinkedHashMap<>();
    pruned.forEach((name, tensor) -> masks.put(name, tensor.mask()));
    Map<String, Mask> narrowed = UnusedUnits.prune(network.architecture(), masks);
    Map<String, CompressedTensor> result = new LinkedHashMap<>();
    StringBuilder removed = new StringBuilder();
    pruned.forEach(
        (name, tensor) -> {
          Mask mask = narrowed.get(name);
          int gone = tensor.mask().keptCount() - mask.keptCount();
          if (gone > 0) {
            mask.zeroPruned(network.parameter(name).values());
            removed.append(String.format(" %s %,d", name, gone));
          }
          result.put(name, CompressedTensor.pruned(tensor.spec(), mask));
        });
    console.println(
        "unused units: "
            + (removed.isEmpty() ? "none" : "weights pruned," + removed)
            + " (the network computes the same)");
    return result;
  }

  /**
   * Pruning steps per epoch of the cubic schedule's ramp: often enough that each prunes little (on
   * LeNet-300-100, about 0.1% of a layer's weights at a time at the ramp's start), few enough that
   * sorting the magnitudes costs nothing against the training between steps.
   */
  static final int CUBIC_STEPS_PER_EPOCH = 10;

  /**
   * Stage 1: magnitude pruning with the masks enforced during retraining, iterative (prune,
   * retrain, repeat) or gradual along the cubic ramp, as the plan says.
   */
  private IterativePruning.Result pruneAndRetrain() {
    CompressionPlan.Retraining retraining = plan.retraining();
    boolean cubic = retraining.pruneSchedule() == CompressionPlan.PruneSchedule.CUBIC;
    int epochs = retraining.pruneIterations() * retraining.pruneEpochs();
    // The cubic ramp takes the first two thirds of the epochs, rounded up.
    int rampEpochs = (2 * epochs + 2) / 3;
    SolverConfig retrain =
        cubic ? droppedAtRampEnd(rampEpochs, epochs) : annealed(retraining.pruneEpochs());
    if (cubic) {
      console.printf(
          "pruning: cubic sparsity ramp over %d of %d epochs, %d steps an epoch, then the final"
              + " masks, at %s, %s%n",
          rampEpochs,
          epochs,
          CUBIC_STEPS_PER_EPOCH,
          retrain.schedule().describe(),
          retraining.distilling().describe());
    } else {
      console.printf(
          "pruning: %d iterations of prune + %d epochs retraining at %s, %s%n",
          retraining.pruneIterations(),
          retraining.pruneEpochs(),
          retrain.schedule().describe(),
          retraining.distilling().describe());
    }
    Map<String, ThresholdPolicy> policies = byTensor(LayerPlan::pruning);
    IterativePruning.Settings settings =
        new IterativePruning.Settings(
            retraining.pruneIterations(), retraining.pruneEpochs(), retrain, objective);
    Checkpoints.Stage saved = checkpoints(PRUNING);
    Optional<IterativePruning.Progress> from =
        saved
            .load()
            .flatMap(
                checkpoint -> {
                  try {
                    IterativePruning.Progress progress = SavedProgress.pruning(checkpoint);
                    progress.requireFits(settings, network, policies);
                    return Optional.of(progress);
                  } catch (IllegalArgumentException e) {
                    saved.unusable(e.getMessage());
                    return Optional.empty();
                  }
                });
    PruningProgress progress =
        new PruningProgress(console, saved, retraining.pruneEpochs(), monitor.name(), cubic);
    return cubic
        ? GradualPruning.run(
            network,
            policies,
            new GradualPruning.Settings(settings, rampEpochs, CUBIC_STEPS_PER_EPOCH),
            batches,
            FIRST_RETRAINING_EPOCH,
            monitor.images(),
            from,
            progress)
        : IterativePruning.run(
            network,
            policies,
            settings,
            batches,
            FIRST_RETRAINING_EPOCH,
            monitor.images(),
            from,
            progress);
  }

  /**
   * Gradual pruning's one retraining run of {@code epochs}: the retraining rate while the masks
   * narrow, a tenth of it once they are final, to settle the weights as each round of the iterative
   * schedule ends; without a drop when the ramp takes every epoch.
   */
  private SolverConfig droppedAtRampEnd(int rampEpochs, int epochs) {
    long perEpoch = batches.batchesPerEpoch();
    long drop = rampEpochs < epochs ? rampEpochs * perEpoch : Long.MAX_VALUE;
    return solver.withSchedule(new LearningRateSchedule.Step(retrainRate, 0.1, drop));
  }

  /**
   * Stage 2: each tensor's kept weights quantized by its planned quantizer, then retraining for the
   * trained ones (k-means centroids by the grouped gradient, the others through their shadow
   * weights) while the post-training ones stay fixed. A plan of post-training quantizers only does
   * not retrain.
   */
  private QuantizedTensors quantizeAndRetrain(Map<String, CompressedTensor> pruned) {
    Map<String, QuantizerSpec> specs = byTensor(LayerPlan::quantizer);
    Quantization quantization = Quantization.apply(network, pruned, specs, seed);
    double quantized = monitor.errorPercent(network::predict);
    StringBuilder quantizers = new StringBuilder();
    specs.forEach((name, spec) -> quantizers.append(", ").append(name).append(' ').append(spec));
    console.printf("quantization%s: %s error %.2f%%%n", quantizers, monitor.name(), quantized);
    int epochs = plan.retraining().quantizeEpochs();
    List<Double> losses = List.of();
    if (quantization.retrains() && epochs > 0) {
      CompressionPlan.Retraining retraining = plan.retraining();
      losses =
          ReferenceTraining.runEpochs(
              new Trainer(network, annealed(epochs), quantization.constraints(), objective),
              batches,
              FIRST_RETRAINING_EPOCH + retraining.pruneIterations() * retraining.pruneEpochs(),
              epochs,
              monitor,
              "quantized retraining",
              console,
              checkpoints(QUANTIZATION),
              "quantized retraining");
    }
    Map<String, CompressedTensor> tensors = new LinkedHashMap<>(quantization.tensors());
    tensors.putAll(quantizedBiases(network, plan, seed, monitor, console));
    return new QuantizedTensors(tensors, quantized, losses);
  }

  /**
   * The biases {@code plan} quantizes, each with every element kept and 8-bit uniform levels,
   * written back into {@code network}; after retraining, since an 8-bit bias costs nothing to
   * recover.
   */
  static Map<String, CompressedTensor> quantizedBiases(
      Network network, CompressionPlan plan, long seed, Monitor monitor, PrintStream console) {
    Map<String, CompressedTensor> biases = new LinkedHashMap<>();
    for (String name : plan.quantizedBiases(network.architecture()).values()) {
      Parameter bias = network.parameter(name);
      float[] values = bias.values();
      CompressedTensor tensor =
          LayerPlan.Bias.UNIFORM8_SPEC
              .quantizer(seed)
              .quantize(CompressedTensor.pruned(bias.spec(), Mask.all(values.length)), values);
      System.arraycopy(tensor.dequantized(), 0, values, 0, values.length);
      biases.put(name, tensor);
    }
    if (!biases.isEmpty()) {
      console.printf(
          "biases %s: 8-bit uniform, %s error %.2f%%%n",
          String.join(", ", biases.keySet()),
          monitor.name(),
          monitor.errorPercent(network::predict));
    }
    return biases;
  }

  /**
   * What retraining minimises: the labels' loss, and with distillation also the distance to a
   * frozen copy of {@code network} as it comes in (the dense reference).
   */
  static Objective objective(Network network, CompressionPlan.Distilling distilling) {
    return distilling.enabled()
        ? new Distillation(
            Network.fromModel(network.toModel(Map.of())),
            distilling.temperature(),
            distilling.softWeight())
        : Objective.LABELS;
  }

  private SolverConfig annealed(int epochs) {
    return annealed(solver, retrainRate, epochs, batches.batchesPerEpoch());
  }

  /**
   * Retraining for a phase of {@code epochs}: {@code rate} for its first half and a tenth of it for
   * the second, a drop that settles the weights the way the reference's own schedule did.
   */
  static SolverConfig annealed(SolverConfig solver, double rate, int epochs, int batchesPerEpoch) {
    long half = (long) Math.max(1, (epochs + 1) / 2) * batchesPerEpoch;
    return solver.withSchedule(new LearningRateSchedule.Step(rate, 0.1, half));
  }

  /** A per-layer setting of the plan, keyed by the layer's weight tensor instead. */
  private <V> Map<String, V> byTensor(Function<LayerPlan, V> setting) {
    Map<String, V> byTensor = new LinkedHashMap<>();
    tensorOfLayer.forEach(
        (layer, tensor) -> byTensor.put(tensor, setting.apply(plan.layers().get(layer))));
    return byTensor;
  }

  /**
   * Stage 3: every compressed tensor as the file stores it (its mask's positions, its quantizer's
   * codebook and indices, exactly); every other parameter stays dense fp32, from {@code network}.
   *
   * @param gapBits position-gap width per compressed tensor, or {@link LayerPlan#AUTO_GAP_BITS} for
   *     the width that makes it smallest
   */
  static Model encode(
      Network network,
      Map<String, CompressedTensor> compressed,
      Map<String, Integer> gapBits,
      Map<String, String> metadata) {
    Architecture architecture = network.architecture();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      CompressedTensor tensor = compressed.get(spec.name());
      if (tensor == null) {
        tensors.put(
            spec.name(),
            new DenseTensor(spec.shape(), network.parameter(spec.name()).values().clone()));
      } else {
        int bits = gapBits.getOrDefault(spec.name(), LayerPlan.AUTO_GAP_BITS);
        tensors.put(
            spec.name(),
            bits == LayerPlan.AUTO_GAP_BITS ? smallestEncoding(tensor) : tensor.toTensor(bits));
      }
    }
    return network.withPreprocessing(Model.ofTensors(architecture, tensors, metadata));
  }

  /**
   * The gap width that makes this tensor smallest once Huffman-coded. Wider fields need fewer
   * fillers and the Huffman code keeps short gaps short, so the best width is often above the
   * paper's fixed-width choice.
   */
  static Tensor smallestEncoding(CompressedTensor tensor) {
    Tensor best = null;
    int bestBytes = Integer.MAX_VALUE;
    for (int gapBits = 1; gapBits <= SparseQuantizedTensor.MAX_GAP_BITS; gapBits++) {
      Tensor candidate = tensor.toTensor(gapBits);
      int bytes = ModelFile.encodedBytes(tensor.spec(), candidate);
      if (bytes < bestBytes) {
        best = candidate;
        bestBytes = bytes;
      }
    }
    return best;
  }

  /**
   * One line per pruning iteration, a progress bar per retraining epoch, a checkpoint after each.
   */
  private record PruningProgress(
      PrintStream console,
      Checkpoints.Stage checkpoints,
      int epochs,
      String monitored,
      boolean cubic)
      implements IterativePruning.Listener {
    @Override
    public Trainer.Listener epochStarted(int iteration, int epoch, int batches) {
      return new EpochProgress(
          (cubic ? "cubic " : "prune ") + iteration + ", epoch " + (epoch + 1), batches);
    }

    @Override
    public void epochFinished(IterativePruning.Progress progress) {
      checkpoints.save(
          SavedProgress.of(progress),
          (cubic ? "pruning round " : "pruning iteration ")
              + progress.iteration()
              + ", epoch "
              + progress.epochsDone()
              + "/"
              + epochs);
    }

    @Override
    public void iterationFinished(IterativePruning.IterationReport report) {
      StringBuilder kept = new StringBuilder();
      for (IterativePruning.TensorStats tensor : report.tensors()) {
        kept.append(String.format("  %s %.1f%%", tensor.tensor(), 100 * tensor.keptFraction()));
      }
      if (cubic) {
        console.printf(
            "cubic %d: kept%s; %s error %.2f%% after the last pruning step, %.2f%% at the end of"
                + " the round%n",
            report.iteration(), kept, monitored, report.errorAfterPruningPct(), report.errorPct());
      } else {
        console.printf(
            "prune %d: kept%s; %s error %.2f%% after pruning, %.2f%% after retraining%n",
            report.iteration(), kept, monitored, report.errorAfterPruningPct(), report.errorPct());
      }
    }
  }
}
