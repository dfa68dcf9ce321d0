package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "compress",
    mixinStandardHelpOptions = true,
    description = {
      "Compress a trained model file or ONNX model: prune and retrain, quantize and retrain,"
          + " Huffman-code.",
      "Layers are named as in 'inspect'. Without --keep or --prune-std, a model the paper"
          + " reports on gets the paper's per-layer pruning and weight bits; otherwise every"
          + " layer an option names is compressed (unpruned unless --keep or --prune-std says"
          + " so).",
    })
final class CompressCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin DataFileOptions files;

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description = "Trained model: a dense model file, or an ONNX file (imported first).")
  Path input;

  @Option(names = "--out", required = true, paramLabel = "OUT", description = "File to write.")
  Path out;

  @Option(
      names = "--dataset",
      description = "Data to retrain and test on (default: the one recorded in IN).",
      converter = Converters.DatasetName.class)
  DatasetKind kind;

  @Option(
      names = "--keep",
      paramLabel = "LAYER=FRACTION",
      description = "Fraction of a layer's weights to keep, e.g. ip1=0.08 (repeatable).")
  Map<String, Double> keep = new LinkedHashMap<>();

  @Option(
      names = "--prune-std",
      paramLabel = "LAYER=Q",
      description = "Prune a layer's weights below Q × their standard deviation (repeatable).")
  Map<String, Double> pruneStd = new LinkedHashMap<>();

  @Option(
      names = "--gap-bits",
      paramLabel = "LAYER=BITS",
      description =
          "Position gap bits of a layer, 1-8 (default: for each layer the width that makes it"
              + " smallest after Huffman coding).")
  Map<String, Integer> gapBits = new LinkedHashMap<>();

  @Option(
      names = "--prune-iterations",
      defaultValue = "" + CompressionPlan.DEFAULT_PRUNE_ITERATIONS,
      converter = Converters.PositiveCount.class,
      description = "Prune-retrain rounds (default ${DEFAULT-VALUE}).")
  int pruneIterations;

  @Option(
      names = "--prune-epochs",
      defaultValue = "" + CompressionPlan.DEFAULT_PRUNE_EPOCHS,
      converter = Converters.NonNegativeCount.class,
      description = "Epochs per round (default ${DEFAULT-VALUE}).")
  int pruneEpochs;

  @Option(
      names = {"--quantize-epochs", "--cluster-epochs"},
      defaultValue = "" + CompressionPlan.DEFAULT_QUANTIZE_EPOCHS,
      converter = Converters.NonNegativeCount.class,
      description =
          "Retraining epochs after quantization, for trained quantizers (default"
              + " ${DEFAULT-VALUE}).")
  int quantizeEpochs;

  @Mixin QuantizerOptions quantizerOptions;

  @Option(
      names = "--plan",
      paramLabel = "FILE",
      description =
          "Compress as the plan file says (the JSON a search writes as plan.json, or one written"
              + " by hand) instead of the per-layer options.")
  Path planFile;

  @Spec CommandSpec spec;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for shuffling and clustering.")
  long seed;

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      converter = Converters.PositiveCount.class,
      description = "Mini-batch size.")
  int batchSize;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Also write report.md and report.json there.")
  Path reportDir;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where the run keeps its progress until it has finished, so that the same command"
              + " continues a stopped run (default: OUT.resume beside OUT).")
  Path stateDir;

  @Mixin InputPreprocessingOptions inputOptions;
  @Mixin LearningRateOptions learningRate;
  @Mixin DistillOptions distill;
  @Mixin PruneScheduleOptions pruneSchedule;
  @Mixin SearchOptions search;
  @Mixin OutputOptions output;

  private static final int DEFAULT_BITS = 5;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    common.apply();
    // 0 means "chosen by size" inside a plan, never on the command line.
    gapBits.forEach(
        (layer, bits) -> {
          if (bits < 1 || bits > SparseQuantizedTensor.MAX_GAP_BITS) {
            throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--gap-bits "
                    + layer
                    + "="
                    + bits
                    + ": gap bits must be 1-"
                    + SparseQuantizedTensor.MAX_GAP_BITS);
          }
        });
    search.requireSearchForRefit(spec.commandLine());
    OutputPaths.requireWritableTarget(out);
    if (reportDir != null) {
      OutputPaths.requireWritableDirectory(reportDir);
    }
    Path stateDirectory =
        stateDir != null ? stateDir : out.resolveSibling(out.getFileName() + ".resume");
    OutputPaths.requireWritableDirectory(stateDirectory);
    PrintStream console = System.out;
    Model file = ModelFiles.read(input, inputOptions);
    Optional<Preprocessing> preprocessing = ModelInputs.of(file, input, console);
    // A file from before format 1.2 gets the preprocessing assumed for it recorded.
    Model reference = preprocessing.map(file::withPreprocessing).orElse(file);
    String modelName = reference.architecture().name();
    Optional<PaperResults> paper = PaperResults.forModel(modelName);
    CompressionPlan plan;
    try {
      plan = plan(paper);
      plan.requireFits(reference.architecture());
    } catch (UserInputException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    DatasetKind dataset =
        kind != null || files.givesFiles() ? kind : EvalCommand.recordedDataset(reference, input);
    int validation = files.validationFor(reference, input, console);
    DatasetSplits splits =
        ModelInputs.prepare(files.load(dataset, data, validation), reference, preprocessing);
    double referenceError =
        Evaluation.evaluate(InferenceNetwork.of(reference)::predict, splits.test()).errorPercent();
    console.printf("%s: %s, test error %.2f%%%n", input, modelName, referenceError);

    SolverConfig solver = solverFor(splits);
    Map<String, String> metadata = new TreeMap<>(reference.metadata());
    metadata.put("dataset", splits.name());
    metadata.put("compress.source", input.getFileName().toString());
    StateDirectory state = new StateDirectory(stateDirectory, console);
    try (AutoCloseable interruption = state.reportInterruption(common.typed())) {
      Search.Outcome outcome =
          search.enabled()
              ? SearchRun.run(
                  Network.fromModel(reference),
                  splits,
                  solver,
                  batchSize,
                  seed,
                  plan,
                  search,
                  !output.keepUnusedUnits,
                  withPlan(metadata, plan),
                  reportDir,
                  console)
              : null;
      DatasetSplits compressedOn = splits;
      if (outcome != null && search.refit) {
        plan = outcome.plan();
        compressedOn = ModelInputs.prepare(files.load(dataset, data, 0), reference, preprocessing);
        solver = solverFor(compressedOn);
        metadata.put("compress.search", outcome.result().model().metadata().get("compress.search"));
        metadata.put("compress.refit", SearchOptions.refitNote(compressedOn.train().count()));
        console.printf(
            "refit: the chosen plan again, on all %d training samples%n",
            compressedOn.train().count());
      }
      Compression.Result result =
          outcome != null && !search.refit
              ? outcome.result()
              : Compression.of(reference)
                  .plan(plan)
                  .data(compressedOn)
                  .solver(solver)
                  .batchSize(batchSize)
                  .seed(seed)
                  .metadata(withPlan(metadata, plan))
                  .pruneUnusedUnits(!output.keepUnusedUnits)
                  .console(console)
                  .checkpoints(state)
                  .run();
      Artifacts.Measured measured =
          Artifacts.writeAndMeasure(output.forFile(result.model()), out, splits.test());
      CompressionReport report =
          new CompressionReport(
                  modelName,
                  referenceError,
                  measured.test().errorPercent(),
                  4 * reference.architecture().parameterCount(),
                  measured.layout(),
                  Optional.empty())
              .withPruning(result.pruning(), result.errorsOn())
              .with("file", out.toString())
              .with("wall_time_s", (System.nanoTime() - start) / 1e9);
      if (outcome != null && search.refit) {
        report
            .withSearch(
                outcome,
                Artifacts.measure(outcome.result().model(), splits.validation()).errorPercent())
            .withRefit(compressedOn.train().count());
      } else if (outcome != null) {
        report.withSearch(
            outcome, Artifacts.measure(ModelFile.read(out), splits.validation()).errorPercent());
      }
      if (reportDir != null) {
        Files.createDirectories(reportDir);
        Map<String, float[]> before = new LinkedHashMap<>();
        result.tensors().keySet().forEach(name -> before.put(name, reference.parameter(name)));
        report.withPictures(
            ReportCharts.draw(reportDir, before, result, List.of(), result.errorsOn()));
      }
      String markdown = report.markdown();
      console.println();
      console.print(markdown);
      if (reportDir != null) {
        Artifacts.writeText(reportDir.resolve("report.md"), markdown);
        Artifacts.writeText(reportDir.resolve("report.json"), report.json());
      }
      state.clear();
      console.printf(
          "%nwrote %s (%,d bytes, %.1f× smaller than dense fp32)%n",
          out, Files.size(out), report.ratio());
    }
    return 0;
  }

  private SolverConfig solverFor(DatasetSplits splits) {
    Batches batches = new Batches(splits.train(), batchSize, seed);
    return SolverConfig.caffeLenet().withSchedule(learningRate.schedule(batches.batchesPerEpoch()));
  }

  private static Map<String, String> withPlan(Map<String, String> metadata, CompressionPlan plan) {
    Map<String, String> with = new TreeMap<>(metadata);
    with.put("compress.plan", plan.describe());
    return with;
  }

  /**
   * The plan the options give. Without --keep or --prune-std, a model the paper reports on gets the
   * paper's plan; otherwise every layer an option names is compressed, unpruned unless --keep or
   * --prune-std says otherwise.
   */
  private CompressionPlan plan(Optional<PaperResults> paper) throws IOException {
    if (planFile != null) {
      if (!keep.isEmpty()
          || !pruneStd.isEmpty()
          || !gapBits.isEmpty()
          || !quantizerOptions.layers().isEmpty()) {
        throw new UserInputException(
            "--plan gives every layer's setting: leave out --keep, --prune-std, --gap-bits and"
                + " --quantizer");
      }
      String json;
      try {
        json = Files.readString(planFile);
      } catch (IOException e) {
        throw new UserInputException("cannot read plan file " + planFile + ": " + e.getMessage());
      }
      CompressionPlan planned;
      try {
        planned = CompressionPlan.fromJson(json);
      } catch (IllegalArgumentException e) {
        throw new UserInputException(planFile + ": " + e.getMessage());
      }
      CompressionPlan.Retraining retraining =
          pruneSchedule.apply(planned.retraining(), search.enabled());
      return UserInputException.check(() -> planned.withRetraining(retraining));
    }
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    CompressionPlan.Retraining defaults = CompressionPlan.Retraining.DEFAULT;
    if (keep.isEmpty() && pruneStd.isEmpty() && paper.isPresent()) {
      CompressionPlan published = CompressionPlan.paper(paper.get()).withAutoGapBits();
      layers.putAll(published.layers());
      defaults = published.retraining();
    } else if (keep.isEmpty() && pruneStd.isEmpty() && quantizerOptions.layers().isEmpty()) {
      throw new UserInputException(
          "say what to compress: --keep LAYER=FRACTION, --prune-std LAYER=Q or --quantizer"
              + " LAYER=SPEC");
    }
    Set<String> named = new LinkedHashSet<>(keep.keySet());
    named.addAll(pruneStd.keySet());
    named.addAll(quantizerOptions.layers());
    named.addAll(gapBits.keySet());
    for (String layer : named) {
      layers.computeIfAbsent(
          layer,
          l ->
              LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(1), DEFAULT_BITS)
                  .withQuantizer(
                      QuantizerSpec.kmeans(
                          DEFAULT_BITS, quantizerOptions.initOr(KMeans1D.Init.LINEAR))));
    }
    for (Map.Entry<String, LayerPlan> entry : layers.entrySet()) {
      String layer = entry.getKey();
      LayerPlan planned = entry.getValue();
      if (keep.containsKey(layer) && pruneStd.containsKey(layer)) {
        throw new UserInputException("--keep and --prune-std both name " + layer + "; give one");
      }
      if (keep.containsKey(layer)) {
        double fraction = keep.get(layer);
        planned =
            planned.withPruning(
                UserInputException.check(() -> new ThresholdPolicy.KeptFraction(fraction)));
      } else if (pruneStd.containsKey(layer)) {
        double quality = pruneStd.get(layer);
        planned =
            planned.withPruning(
                UserInputException.check(() -> new ThresholdPolicy.QualityTimesStd(quality)));
      }
      if (gapBits.containsKey(layer)) {
        int bits = gapBits.get(layer);
        LayerPlan before = planned;
        planned = UserInputException.check(() -> before.withGapBits(bits));
      }
      entry.setValue(quantizerOptions.apply(layer, planned));
    }
    CompressionPlan.Retraining base = defaults;
    return UserInputException.check(
        () ->
            new CompressionPlan(
                layers,
                pruneSchedule.apply(
                    new CompressionPlan.Retraining(
                        pruneIterations,
                        pruneEpochs,
                        quantizeEpochs,
                        distill.retrainRateScale(base.learningRateScale()),
                        distill.distilling(base.distilling())),
                    search.enabled())));
  }
}
