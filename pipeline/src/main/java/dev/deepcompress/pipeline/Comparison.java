package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.pruning.MaskConstraint;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.Quantization;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements behind {@code compare} and {@code figures}: a LeNet reference trained on MNIST
 * without its validation split (so that selection on that split is honest), pruned once if asked,
 * and then any number of quantization settings applied to copies of it, each retrained if trained,
 * encoded, read back and measured: file bytes, validation error and test error of the file.
 */
final class Comparison {
  static final int BATCH_SIZE = 64;

  /** One measured file. */
  record Point(long fileBytes, double validationErrorPct, double testErrorPct, double seconds) {}

  private final Architecture architecture;
  private final DatasetSplits splits;
  private final Batches batches;
  private final SolverConfig solver;
  private final double retrainRate;
  private final long seed;
  private final PrintStream console;
  private final Model reference;
  private final Point referencePoint;

  /** Where pruned versions of the reference are kept between runs, or null for none. */
  private final Path prunedCache;

  private int nextEpoch = 2_000;

  private Comparison(
      Architecture architecture,
      DatasetSplits splits,
      SolverConfig solver,
      double retrainRate,
      long seed,
      Model reference,
      Path prunedCache,
      PrintStream console) {
    this.architecture = architecture;
    this.splits = splits;
    this.batches = new Batches(splits.train(), BATCH_SIZE, seed);
    this.solver = solver;
    this.retrainRate = retrainRate;
    this.seed = seed;
    this.reference = reference;
    this.prunedCache = prunedCache;
    this.console = console;
    this.referencePoint = measure(reference, 0);
  }

  /**
   * The reference of {@code modelName} (lenet-300-100 or lenet-5), trained for {@code epochs} with
   * {@code validation} training images held out (cached like reproduce's references), and MNIST
   * split so.
   *
   * @param trainSubset if positive, only the first that many of the remaining training images: a
   *     smoke run, whose reference and pruned models are trained now and never cached
   */
  static Comparison forModel(
      String modelName,
      int validation,
      int trainSubset,
      int epochs,
      DataOptions data,
      long seed,
      LearningRateOptions learningRate,
      PrintStream console)
      throws IOException {
    Architecture architecture = ReferenceArchitectures.byName(modelName);
    Preprocessing preprocessing = ReferenceArchitectures.pixelScaling();
    DatasetSplits splits =
        Datasets.load(DatasetKind.MNIST, data.toDatasetOptions())
            .preparedFor(
                architecture.inputShape(), architecture.outputShape().elementCount(), preprocessing)
            .withValidation(validation);
    String dataset = DatasetKind.MNIST.cliName() + " without " + validation + " validation images";
    if (trainSubset > 0) {
      if (trainSubset > splits.train().count()) {
        throw new UserInputException(
            "--train-subset must be between 1 and " + splits.train().count());
      }
      splits =
          new DatasetSplits(
              splits.name(),
              splits.train().subset(0, trainSubset),
              splits.validation(),
              splits.test());
      dataset += ", the first " + trainSubset + " of the others";
      console.printf("smoke run: %d training images, nothing cached%n", trainSubset);
    }
    SolverConfig solver =
        SolverConfig.caffeLenet()
            .withSchedule(
                learningRate.schedule(
                    new Batches(splits.train(), BATCH_SIZE, seed).batchesPerEpoch()));
    ReferenceTraining.Settings settings =
        new ReferenceTraining.Settings(
            architecture, dataset, preprocessing, epochs, seed, BATCH_SIZE, solver);
    ReferenceCache cache = new ReferenceCache(data.toDatasetOptions().cacheDir());
    Network network;
    Path prunedCache = null;
    if (trainSubset > 0) {
      network = ReferenceTraining.train(settings, splits, console);
    } else {
      network = cache.trainOrLoad(settings, splits, console);
      Path file = cache.fileFor(settings);
      String name = file.getFileName().toString();
      prunedCache =
          file.resolveSibling(
              name.substring(0, name.length() - ModelFile.EXTENSION.length()) + "-pruned");
    }
    double scale =
        CompressionPlan.paper(PaperResults.forModel(modelName).orElseThrow())
            .retraining()
            .learningRateScale();
    return new Comparison(
        architecture,
        splits,
        solver,
        solver.schedule().rate(0) * scale,
        seed,
        network.toModel(Map.of()),
        prunedCache,
        console);
  }

  Architecture architecture() {
    return architecture;
  }

  Point reference() {
    return referencePoint;
  }

  long denseBytes() {
    return 4 * architecture.parameterCount();
  }

  /** A compressed model state to quantize from: weights, and the masks of the pruned tensors. */
  record Base(Model model, Map<String, CompressedTensor> masks) {}

  /** The reference, every weight tensor kept whole. */
  Base unpruned() {
    Map<String, CompressedTensor> masks = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      if (spec.role() == ParameterSpec.Role.WEIGHT) {
        masks.put(
            spec.name(), CompressedTensor.pruned(spec, Mask.all(spec.shape().elementCount())));
      }
    }
    return new Base(reference, masks);
  }

  /**
   * The reference pruned to {@code kept} (by weight tensor name) over {@code iterations} rounds of
   * {@code epochs} retraining epochs each; tensors not named stay whole. Kept between runs beside
   * the cached reference (the weights and, in a second file, the masks), keyed by everything else
   * that determines them, since pruning is the longest step of a comparison.
   */
  Base pruned(Map<String, Double> kept, int iterations, int epochs) throws IOException {
    int first = epochs(iterations * epochs);
    StringBuilder name = new StringBuilder("keep");
    kept.forEach((tensor, f) -> name.append('-').append(tensor).append('=').append(f));
    name.append(String.format(Locale.ROOT, "-%dx%d-epoch%d", iterations, epochs, first));
    Path directory = prunedCache != null ? prunedCache : Path.of("");
    Path weightsFile = directory.resolve(name + ModelFile.EXTENSION);
    Path masksFile = directory.resolve(name + "-masks" + ModelFile.EXTENSION);
    if (prunedCache != null && Files.isRegularFile(weightsFile) && Files.isRegularFile(masksFile)) {
      try {
        Base cached = readPruned(ModelFile.read(weightsFile), ModelFile.read(masksFile));
        console.println("pruned: cached " + weightsFile);
        return cached;
      } catch (ModelFormatException | IllegalArgumentException e) {
        console.println("pruned: cached files unusable, pruning again: " + e.getMessage());
      }
    }
    Network network = Network.fromModel(reference);
    Map<String, ThresholdPolicy> plan = new LinkedHashMap<>();
    kept.forEach((tensor, f) -> plan.put(tensor, new ThresholdPolicy.KeptFraction(f)));
    IterativePruning.Result result =
        IterativePruning.run(
            network,
            plan,
            new IterativePruning.Settings(iterations, epochs, annealed(epochs)),
            batches,
            first,
            splits.validation(),
            new IterativePruning.Listener() {
              @Override
              public void iterationFinished(IterativePruning.IterationReport report) {
                console.printf(
                    "  prune %d/%d: validation error %.2f%%%n",
                    report.iteration(), iterations, report.errorPct());
              }
            });
    Map<String, CompressedTensor> masks = new LinkedHashMap<>(unpruned().masks());
    masks.putAll(result.tensors());
    Base pruned = new Base(network.toModel(Map.of()), masks);
    if (prunedCache == null) {
      return pruned;
    }
    Files.createDirectories(prunedCache);
    // The masks first: the weights file is what says the pair is complete.
    ModelFile.write(masksModel(masks), masksFile);
    ModelFile.write(pruned.model(), weightsFile);
    console.println("pruned: cached as " + weightsFile);
    return pruned;
  }

  /**
   * Each weight tensor's mask as the file format stores positions: one codebook entry, 1, at every
   * kept position; the biases as zeros.
   */
  private Model masksModel(Map<String, CompressedTensor> masks) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      CompressedTensor masked = masks.get(spec.name());
      tensors.put(
          spec.name(),
          masked == null
              ? new DenseTensor(spec.shape(), new float[spec.shape().elementCount()])
              : onesAtKept(masked, bestGapBits(masked)));
    }
    return Model.ofTensors(architecture, tensors, Map.of());
  }

  private Base readPruned(Model weights, Model masks) {
    if (!weights.architecture().equals(architecture)
        || !masks.architecture().equals(architecture)) {
      throw new IllegalArgumentException("another architecture than " + architecture.name());
    }
    Map<String, CompressedTensor> read = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      if (spec.role() == ParameterSpec.Role.WEIGHT) {
        if (!(masks.tensor(spec.name()) instanceof SparseQuantizedTensor stored)) {
          throw new IllegalArgumentException("no mask stored for " + spec.name());
        }
        // Every stored entry is 1 at a kept position, nothing else is stored.
        float[] ones = stored.toDense();
        read.put(
            spec.name(), CompressedTensor.pruned(spec, Mask.all(ones.length).narrowedTo(ones, 0)));
      }
    }
    return new Base(weights, read);
  }

  /** Reserves {@code count} epoch orders, so no two retrainings draw the same batches. */
  private int epochs(int count) {
    int first = nextEpoch;
    nextEpoch += count;
    return first;
  }

  /** The retraining rate for half the epochs, a tenth of it for the rest. */
  private SolverConfig annealed(int epochs) {
    long half = (long) Math.max(1, (epochs + 1) / 2) * batches.batchesPerEpoch();
    return solver.withSchedule(new LearningRateSchedule.Step(retrainRate, 0.1, half));
  }

  /**
   * Quantizes the tensors {@code specs} names (by weight tensor name) from {@code base}, retrains
   * for {@code epochs} if any quantizer is trained (the other pruned tensors keep their masks,
   * unquantized tensors stay fp32), encodes with the smallest gaps, and measures the file.
   */
  Point quantized(Base base, Map<String, QuantizerSpec> specs, int epochs) {
    long start = System.nanoTime();
    Network network = Network.fromModel(base.model());
    Map<String, CompressedTensor> chosen = new LinkedHashMap<>();
    specs.keySet().forEach(name -> chosen.put(name, base.masks().get(name)));
    Quantization quantization = Quantization.apply(network, chosen, specs, seed);
    if (quantization.retrains() && epochs > 0) {
      Map<String, ParameterConstraint> constraints = new LinkedHashMap<>();
      base.masks()
          .forEach(
              (name, tensor) -> {
                if (tensor.mask().keptCount() < tensor.mask().size()) {
                  constraints.put(name, new MaskConstraint(tensor.mask()));
                }
              });
      constraints.putAll(quantization.constraints());
      Trainer trainer = new Trainer(network, annealed(epochs), constraints);
      int first = epochs(epochs);
      for (int e = 0; e < epochs; e++) {
        trainer.trainEpoch(batches, first + e, new Trainer.Listener() {});
      }
    }
    Map<String, Integer> gaps = new LinkedHashMap<>();
    specs.keySet().forEach(name -> gaps.put(name, LayerPlan.AUTO_GAP_BITS));
    Model model = Compressor.encode(network, quantization.tensors(), gaps, Map.of());
    return measure(model, System.nanoTime() - start);
  }

  /**
   * The bytes a pruned model would take with its kept weights as fp32 values: its file with every
   * kept weight at one codebook entry (so the positions are coded exactly as any file codes them)
   * plus 4 bytes per kept weight. An estimate for the "pruning only" curve, which no encoding of
   * the format stores; its error is the pruned network's own.
   */
  Point prunedOnly(Base base) {
    long start = System.nanoTime();
    Network network = Network.fromModel(base.model());
    long keptValues = 0;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      CompressedTensor masked = base.masks().get(spec.name());
      if (masked != null && masked.mask().keptCount() < masked.mask().size()) {
        int kept = masked.mask().keptCount();
        keptValues += kept;
        tensors.put(spec.name(), onesAtKept(masked, bestGapBits(masked)));
      } else {
        tensors.put(
            spec.name(),
            new DenseTensor(spec.shape(), network.parameter(spec.name()).values().clone()));
      }
    }
    long bytes =
        ModelFile.toBytes(Model.ofTensors(architecture, tensors, Map.of())).length + 4 * keptValues;
    Point measured = measure(base.model(), System.nanoTime() - start);
    return new Point(
        bytes, measured.validationErrorPct(), measured.testErrorPct(), measured.seconds());
  }

  private static int bestGapBits(CompressedTensor masked) {
    int best = 1;
    int bestBytes = Integer.MAX_VALUE;
    for (int bits = 1; bits <= SparseQuantizedTensor.MAX_GAP_BITS; bits++) {
      int bytes = ModelFile.encodedBytes(masked.spec(), onesAtKept(masked, bits));
      if (bytes < bestBytes) {
        bestBytes = bytes;
        best = bits;
      }
    }
    return best;
  }

  /** A one-entry codebook, 1, at every position {@code masked} keeps. */
  private static SparseQuantizedTensor onesAtKept(CompressedTensor masked, int gapBits) {
    return new SparseQuantizedTensor(
        masked.spec().shape(),
        new float[] {1f},
        masked.mask().keptPositions(),
        new byte[masked.mask().keptCount()],
        1,
        gapBits);
  }

  /** Writes {@code model} to bytes, reads them back and evaluates the file on both splits. */
  private Point measure(Model model, long nanos) {
    byte[] bytes = ModelFile.toBytes(model);
    Model read;
    try {
      read = ModelFile.fromBytes(bytes, "comparison");
    } catch (IOException e) {
      throw new IllegalStateException("a model just written does not read back", e);
    }
    InferenceNetwork network = InferenceNetwork.of(read);
    double validation = Evaluation.evaluate(network::predict, splits.validation()).errorPercent();
    double test = Evaluation.evaluate(network::predict, splits.test()).errorPercent();
    return new Point(bytes.length, validation, test, nanos / 1e9);
  }
}
