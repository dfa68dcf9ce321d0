package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetOptions;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
      "Reproduce the paper's results for a model: train (or reuse) the reference, prune and"
          + " retrain, cluster and retrain, Huffman-code into a file, read the file back and"
          + " report its figures beside the published ones.",
    })
final class ReproduceCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "Model to reproduce: lenet-300-100 or lenet-5.")
  String modelName;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      description = "Where the model file and reports go (default: runs/MODEL).")
  Path outDir;

  @Mixin ReferenceOptions referenceOptions;

  @Option(
      names = "--prune-iterations",
      converter = Converters.PositiveCount.class,
      description =
          "Prune-retrain rounds (default " + CompressionPlan.DEFAULT_PRUNE_ITERATIONS + ").")
  Integer pruneIterations;

  @Option(
      names = "--prune-epochs",
      converter = Converters.NonNegativeCount.class,
      description =
          "Retraining epochs per pruning round (default "
              + CompressionPlan.DEFAULT_PRUNE_EPOCHS
              + ").")
  Integer pruneEpochs;

  @Option(
      names = {"--quantize-epochs", "--cluster-epochs"},
      converter = Converters.NonNegativeCount.class,
      description =
          "Retraining epochs after quantization (default "
              + CompressionPlan.DEFAULT_QUANTIZE_EPOCHS
              + ").")
  Integer quantizeEpochs;

  @Option(
      names = "--train-subset",
      paramLabel = "N",
      converter = Converters.PositiveCount.class,
      description = "Use only the first N training images (a quick smoke run, not a reproduction).")
  Integer trainSubset;

  @Option(
      names = "--validation",
      paramLabel = "N",
      defaultValue = "0",
      converter = Converters.NonNegativeCount.class,
      description =
          "Hold out N training images as the validation split (never trained on, the reference"
              + " included) that stage errors and every selection use; of the M training images,"
              + " those at positions floor(j*M/N) for j < N (default 0: none).")
  int validation;

  @Option(
      names = "--paper-gap-bits",
      description =
          "Give every layer the paper's fixed position-gap width instead of the width (1-8 bits)"
              + " that makes it smallest after Huffman coding.")
  boolean paperGapBits;

  @Mixin LearningRateOptions learningRate;
  @Mixin DistillOptions distill;
  @Mixin PruneScheduleOptions pruneSchedule;
  @Mixin SearchOptions search;
  @Mixin OutputOptions output;
  @Mixin QuantizerOptions quantizerOptions;

  @Spec CommandSpec spec;

  private static final int BATCH_SIZE = 64;

  /** Where, under the output directory, a run keeps its progress until it has finished. */
  static final String STATE_DIRECTORY = "resume";

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    common.apply();
    PrintStream console = System.out;
    PaperResults paper =
        PaperResults.forModel(modelName)
            .orElseThrow(
                () ->
                    new UserInputException(
                        "no published figures for '"
                            + modelName
                            + "'; reproduce knows lenet-300-100"));
    Architecture architecture = ReferenceArchitectures.byName(modelName);
    search.requireSearchForRefit(spec.commandLine());
    if (search.enabled() && validation == 0) {
      throw new UserInputException(
          "--max-error needs a validation split to measure it on: give --validation N");
    }
    // Planned before any work, so a bad option fails at once.
    CompressionPlan paperPlan;
    try {
      paperPlan = planWithOverrides(CompressionPlan.paper(paper), architecture);
    } catch (UserInputException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CompressionPlan plan = paperGapBits ? paperPlan : paperPlan.withAutoGapBits();
    Path directory = outDir != null ? outDir : Path.of("runs", modelName);
    OutputPaths.requireWritableDirectory(directory);
    Files.createDirectories(directory);
    Path file = directory.resolve(modelName + ModelFile.EXTENSION);
    OutputPaths.requireWritableTarget(file);
    OutputPaths.requireWritableDirectory(directory.resolve(STATE_DIRECTORY));

    DatasetOptions options = data.toDatasetOptions();
    Preprocessing preprocessing = ReferenceArchitectures.pixelScaling();
    DatasetSplits splits =
        Datasets.load(DatasetKind.MNIST, options)
            .preparedFor(
                architecture.inputShape(),
                architecture.outputShape().elementCount(),
                preprocessing);
    if (trainSubset != null) {
      if (trainSubset < 1 || trainSubset > splits.train().count()) {
        throw new UserInputException(
            "--train-subset must be between 1 and " + splits.train().count());
      }
      splits =
          new DatasetSplits(splits.name(), splits.train().subset(0, trainSubset), splits.test());
      console.printf("smoke run: %d training images%n", trainSubset);
    }
    DatasetSplits all = splits;
    if (validation > 0) {
      if (validation >= splits.train().count()) {
        throw new UserInputException(
            "--validation "
                + validation
                + " leaves no training images: there are "
                + splits.train().count());
      }
      splits = splits.withValidation(validation);
    }
    Training training = training(architecture, splits, validation);

    StateDirectory state = new StateDirectory(directory.resolve(STATE_DIRECTORY), console);
    try (AutoCloseable interruption = state.reportInterruption(common.typed())) {
      ReferenceCache cache = new ReferenceCache(options.cacheDir());
      ReferenceTraining.Trained reference = reference(training, cache, state, console);
      Network network = reference.network();
      double referenceError = referenceError(network, cache, training);
      console.printf("reference test error: %.2f%%%n", referenceError);

      Search.Outcome outcome =
          search.enabled()
              ? SearchRun.run(
                  network,
                  training.splits(),
                  training.solver(),
                  BATCH_SIZE,
                  referenceOptions.seed,
                  plan,
                  search,
                  !output.keepUnusedUnits,
                  training.settings().metadata(),
                  directory,
                  console)
              : null;
      double searchedValidationPct = Double.NaN;
      if (outcome != null && search.refit) {
        searchedValidationPct =
            Artifacts.measure(outcome.result().model(), splits.validation()).errorPercent();
        plan = outcome.plan();
        training = training(architecture, all, 0);
        reference = reference(training, cache, state, console);
        network = reference.network();
        referenceError = referenceError(network, cache, training);
        console.printf(
            "refit: the chosen plan again, on all %d training images, from a reference trained on"
                + " all of them (test error %.2f%%)%n",
            all.train().count(), referenceError);
      }
      Map<String, String> metadata = training.settings().metadata();
      metadata.put("compress.plan", plan.describe());
      if (outcome != null && search.refit) {
        metadata.put("compress.search", outcome.result().model().metadata().get("compress.search"));
        metadata.put("compress.refit", SearchOptions.refitNote(all.train().count()));
      }
      Compression.Result result =
          outcome != null && !search.refit
              ? outcome.result()
              : Compression.of(network.toModel(Map.of()))
                  .plan(plan)
                  .data(training.splits())
                  .solver(training.solver())
                  .batchSize(BATCH_SIZE)
                  .seed(referenceOptions.seed)
                  .metadata(metadata)
                  .pruneUnusedUnits(!output.keepUnusedUnits)
                  .console(console)
                  .checkpoints(state)
                  .run();
      Artifacts.Measured measured =
          Artifacts.writeAndMeasure(output.forFile(result.model()), file, splits.test());
      Map<String, float[]> before = new LinkedHashMap<>();
      Network uncompressed = network;
      result
          .tensors()
          .keySet()
          .forEach(name -> before.put(name, uncompressed.parameter(name).values()));

      long denseBytes = 4 * architecture.parameterCount();
      double seconds = (System.nanoTime() - start) / 1e9;
      CompressionReport report =
          new CompressionReport(
                  modelName,
                  referenceError,
                  measured.test().errorPercent(),
                  denseBytes,
                  measured.layout(),
                  Optional.of(paper))
              .withPruning(result.pruning(), result.errorsOn())
              .withPictures(
                  ReportCharts.draw(
                      directory, before, result, reference.losses(), result.errorsOn()))
              .with("file", file.toString())
              .with("error_after_quantization_pct", result.errorAfterQuantizationPct())
              .with("wall_time_s", seconds);
      if (outcome != null && search.refit) {
        report.withSearch(outcome, searchedValidationPct).withRefit(all.train().count());
      } else if (outcome != null) {
        report.withSearch(
            outcome, Artifacts.measure(ModelFile.read(file), splits.validation()).errorPercent());
      }
      String markdown = report.markdown();
      Artifacts.writeText(directory.resolve("report.md"), markdown);
      Artifacts.writeText(directory.resolve("report.json"), report.json());
      console.println();
      console.print(markdown);
      state.clear();
      console.printf(
          "%nwrote %s, report.md and report.json in %s; total wall time %.1f s%n",
          file.getFileName(), directory, seconds);
    }
    return 0;
  }

  /** The data a reference is trained and compressed on, with what depends on its size. */
  private record Training(
      DatasetSplits splits, SolverConfig solver, ReferenceTraining.Settings settings) {}

  /** Training on {@code splits}, of which {@code validation} training images were held out. */
  private Training training(Architecture architecture, DatasetSplits splits, int validation) {
    Batches batches = new Batches(splits.train(), BATCH_SIZE, referenceOptions.seed);
    SolverConfig solver =
        SolverConfig.caffeLenet().withSchedule(learningRate.schedule(batches.batchesPerEpoch()));
    return new Training(
        splits,
        solver,
        new ReferenceTraining.Settings(
            architecture,
            validation > 0
                ? DatasetKind.MNIST.cliName() + " without " + validation + " validation images"
                : DatasetKind.MNIST.cliName(),
            ReferenceArchitectures.pixelScaling(),
            referenceOptions.epochs,
            referenceOptions.seed,
            BATCH_SIZE,
            solver));
  }

  /** The reference for {@code training}: cached, except for smoke runs on a training subset. */
  private ReferenceTraining.Trained reference(
      Training training, ReferenceCache cache, StateDirectory state, PrintStream console)
      throws IOException {
    return trainSubset == null
        ? cache.trainOrLoad(training.settings(), training.splits(), console, state)
        : ReferenceTraining.train(training.settings(), training.splits(), console, state);
  }

  /** The reference's error as measured from its file (the cached one, when there is one). */
  private static double referenceError(Network network, ReferenceCache cache, Training training)
      throws IOException {
    Path cached = cache.fileFor(training.settings());
    return (Files.isRegularFile(cached)
            ? Artifacts.measure(ModelFile.read(cached), training.splits().test())
            : Evaluation.evaluate(network::predict, training.splits().test()))
        .errorPercent();
  }

  /** The paper's plan with what the options change, checked against the architecture. */
  private CompressionPlan planWithOverrides(CompressionPlan plan, Architecture architecture) {
    Map<String, LayerPlan> layers = new LinkedHashMap<>(plan.layers());
    // The paper's plans cover every layer with weights: a layer they lack is one requireFits names.
    for (String layer : quantizerOptions.layers()) {
      layers.putIfAbsent(layer, LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(1), 5));
    }
    layers.replaceAll(quantizerOptions::apply);
    CompressionPlan.Retraining r = plan.retraining();
    CompressionPlan result =
        UserInputException.check(
            () ->
                new CompressionPlan(
                    layers,
                    pruneSchedule.apply(
                        new CompressionPlan.Retraining(
                            pruneIterations != null ? pruneIterations : r.pruneIterations(),
                            pruneEpochs != null ? pruneEpochs : r.pruneEpochs(),
                            quantizeEpochs != null ? quantizeEpochs : r.quantizeEpochs(),
                            distill.retrainRateScale(r.learningRateScale()),
                            distill.distilling(r.distilling())),
                        search.enabled())));
    UserInputException.check(
        () -> {
          result.requireFits(architecture);
          return result;
        });
    return result;
  }
}
