package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compressing a model from a program: the entry point the {@code deepcompress} command line itself
 * uses. Give it the trained model, a {@link CompressionPlan} and the data to retrain and test on;
 * {@link #run()} prunes and retrains, quantizes and retrains, and encodes, and returns the encoded
 * model (write it with {@code ModelFile.write}).
 *
 * <pre>{@code
 * Model reference = ModelFile.read(Path.of("lenet-300-100.dcmodel"));
 * DatasetSplits mnist = Datasets.load(DatasetKind.MNIST, DatasetOptions.defaults());
 * CompressionPlan plan = CompressionPlan.fromJson(Files.readString(Path.of("plan.json")));
 * Compression.Result result = Compression.of(reference).plan(plan).data(mnist).run();
 * ModelFile.write(result.model(), Path.of("lenet-300-100-small.dcmodel"));
 * }</pre>
 *
 * <p>The same model, plan, data and settings give a byte-identical model. A builder: each setter
 * returns this object; not for use from several threads at once.
 */
public final class Compression {

  /**
   * What a run gives.
   *
   * @param model the encoded model, ready to write
   * @param tensors each compressed weight tensor's value (mask, quantization), by parameter name
   * @param pruning the pruning iterations: kept counts, thresholds and errors
   * @param errorAfterQuantizationPct error right after quantization, before its retraining
   * @param errorsOn the samples those errors are measured on: "validation" when the data holds out
   *     a validation split, else "test"
   * @param weightsAfterPruning each compressed weight tensor as pruning left it, by parameter name
   * @param pruningLosses the mean loss of each retraining epoch of pruning, iterations in order
   * @param quantizedLosses the mean loss of each retraining epoch after quantization
   */
  public record Result(
      Model model,
      Map<String, CompressedTensor> tensors,
      List<IterativePruning.IterationReport> pruning,
      double errorAfterQuantizationPct,
      String errorsOn,
      Map<String, float[]> weightsAfterPruning,
      List<Double> pruningLosses,
      List<Double> quantizedLosses) {}

  private final Model reference;
  private CompressionPlan plan;
  private DatasetSplits data;
  private SolverConfig solver = SolverConfig.caffeLenet();
  private int batchSize = 64;
  private long seed = 1;
  private Map<String, String> metadata = Map.of();
  private PrintStream console = new PrintStream(OutputStream.nullOutputStream());
  private boolean pruneUnusedUnits = true;
  private Checkpoints checkpoints = Checkpoints.NONE;

  private Compression(Model reference) {
    this.reference = Objects.requireNonNull(reference, "reference");
  }

  /** Compression of {@code reference}, a trained model (dense, or any model the runtime reads). */
  public static Compression of(Model reference) {
    return new Compression(reference);
  }

  /**
   * What to do to each layer and how to retrain.
   *
   * @throws IllegalArgumentException if the plan names a layer the model has no weights for
   */
  public Compression plan(CompressionPlan plan) {
    plan.requireFits(reference.architecture());
    this.plan = plan;
    return this;
  }

  /**
   * The data to retrain on ({@code train}) and to report errors on: the validation split while
   * stages run, if {@code data} holds one out, and the test samples otherwise.
   */
  public Compression data(DatasetSplits data) {
    this.data = Objects.requireNonNull(data, "data");
    return this;
  }

  /**
   * The reference's solver (default: Caffe's LeNet solver); retraining runs it at the plan's
   * fraction of its base rate.
   */
  public Compression solver(SolverConfig solver) {
    this.solver = Objects.requireNonNull(solver, "solver");
    return this;
  }

  /** Mini-batch size of retraining (default 64). */
  public Compression batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Seed of the batch order and of random quantizer initialisations (default 1). */
  public Compression seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Metadata the encoded model carries (the reference's is not copied). */
  public Compression metadata(Map<String, String> metadata) {
    this.metadata = new TreeMap<>(metadata);
    return this;
  }

  /**
   * Whether, after pruning, the weights of units that no kept weight of the next layer reads any
   * more are pruned too (default: yes). It changes nothing the network computes and only makes the
   * file smaller; turning it off is for measuring what it saves.
   */
  public Compression pruneUnusedUnits(boolean prune) {
    this.pruneUnusedUnits = prune;
    return this;
  }

  /** Where progress lines go (default: nowhere). */
  public Compression console(PrintStream console) {
    this.console = Objects.requireNonNull(console, "console");
    return this;
  }

  /**
   * Where the stages save their progress after each retraining epoch and look for it when they
   * start (default: nowhere), so that a stopped run continues; see {@link #settings()}.
   */
  Compression checkpoints(Checkpoints checkpoints) {
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    return this;
  }

  /**
   * Everything that decides the encoded model: the reference (its file's bytes), the plan, the
   * data, the solver, the batch size, the seed, the metadata and whether unused units are pruned.
   * Checkpoints saved under other settings are not continued.
   */
  RunSettings settings() {
    return new RunSettings()
        .with("reference", RunSettings.hex(RunSettings.sha256(ModelFile.toBytes(reference))))
        .with("plan", plan.toJson())
        .with("data", RunSettings.digest(data))
        .with("solver", solver)
        .with("batch_size", batchSize)
        .with("seed", seed)
        .with("prune_unused_units", pruneUnusedUnits)
        .with("metadata", Json.write(new TreeMap<>(metadata)));
  }

  /**
   * Runs the three stages. The reference model is not changed.
   *
   * @throws IllegalStateException if no plan or no data was given
   */
  public Result run() {
    if (plan == null || data == null) {
      throw new IllegalStateException("a compression needs a plan and data");
    }
    return Compressor.run(
        Network.fromModel(reference),
        data,
        solver,
        batchSize,
        seed,
        plan,
        pruneUnusedUnits,
        metadata,
        console,
        checkpoints,
        this::settings);
  }
}
