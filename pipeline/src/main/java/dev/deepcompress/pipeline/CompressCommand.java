package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "compress",
    mixinStandardHelpOptions = true,
    description = {
      "Compress a trained model file: prune and retrain, cluster and retrain, Huffman-code.",
      "Layers are named as in 'inspect'. Without --keep or --prune-std, a model the paper"
          + " reports on gets the paper's per-layer pruning and weight bits.",
    })
final class CompressCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin DataFileOptions files;

  @Parameters(index = "0", paramLabel = "IN", description = "Trained model file (dense).")
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
      names = "--bits",
      paramLabel = "LAYER=BITS",
      description = "Codebook index bits of a layer, 1-8 (default 5).")
  Map<String, Integer> bits = new LinkedHashMap<>();

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
      description = "Prune-retrain rounds (default ${DEFAULT-VALUE}).")
  int pruneIterations;

  @Option(
      names = "--prune-epochs",
      defaultValue = "" + CompressionPlan.DEFAULT_PRUNE_EPOCHS,
      description = "Epochs per round (default ${DEFAULT-VALUE}).")
  int pruneEpochs;

  @Option(
      names = "--cluster-epochs",
      defaultValue = "" + CompressionPlan.DEFAULT_CLUSTER_EPOCHS,
      description = "Centroid retraining epochs (default ${DEFAULT-VALUE}).")
  int clusterEpochs;

  @Option(
      names = "--init",
      defaultValue = "LINEAR",
      description = "Centroid initialisation: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  KMeans1D.Init init;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for shuffling and clustering.")
  long seed;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size.")
  int batchSize;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description = "Also write report.md and report.json there.")
  Path reportDir;

  @Mixin LearningRateOptions learningRate;
  @Mixin DistillOptions distill;
  @Mixin SearchOptions search;

  private static final int DEFAULT_BITS = 5;

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    common.apply();
    OutputPaths.requireWritableTarget(out);
    PrintStream console = System.out;
    Model file = ModelFile.read(input);
    Optional<Preprocessing> preprocessing = ModelInputs.of(file, input, console);
    // A file from before format 1.2 gets the preprocessing assumed for it recorded.
    Model reference = preprocessing.map(file::withPreprocessing).orElse(file);
    String modelName = reference.architecture().name();
    Optional<PaperResults> paper = PaperResults.forModel(modelName);
    CompressionPlan plan = plan(paper);
    DatasetKind dataset =
        kind != null || files.givesFiles() ? kind : EvalCommand.recordedDataset(reference, input);
    int validation = files.validationFor(reference, input, console);
    DatasetSplits splits =
        ModelInputs.prepare(files.load(dataset, data, validation), reference, preprocessing);
    double referenceError =
        Evaluation.evaluate(InferenceNetwork.of(reference)::predict, splits.test()).errorPercent();
    console.printf("%s: %s, test error %.2f%%%n", input, modelName, referenceError);

    Batches batches = new Batches(splits.train(), batchSize, seed);
    SolverConfig solver =
        SolverConfig.caffeLenet().withSchedule(learningRate.schedule(batches.batchesPerEpoch()));
    Map<String, String> metadata = new TreeMap<>(reference.metadata());
    metadata.put("dataset", splits.name());
    metadata.put("compress.source", input.getFileName().toString());
    metadata.put("compress.plan", ReproduceCommand.describe(plan));
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
                metadata,
                reportDir,
                console)
            : null;
    Compressor.Result result =
        outcome != null
            ? outcome.result()
            : Compressor.run(
                Network.fromModel(reference),
                splits,
                solver,
                batchSize,
                seed,
                plan,
                metadata,
                console);
    Artifacts.Measured measured = Artifacts.writeAndMeasure(result.model(), out, splits.test());
    CompressionReport report =
        new CompressionReport(
                modelName,
                referenceError,
                measured.test().errorPercent(),
                4 * reference.architecture().parameterCount(),
                measured.layout(),
                Optional.empty())
            .withPruning(result.pruning(), result.monitor())
            .with("file", out.toString())
            .with("wall_time_s", (System.nanoTime() - start) / 1e9);
    if (outcome != null) {
      report.withSearch(
          outcome, Artifacts.measure(ModelFile.read(out), splits.validation()).errorPercent());
    }
    String markdown = report.markdown();
    console.println();
    console.print(markdown);
    if (reportDir != null) {
      Files.createDirectories(reportDir);
      Artifacts.writeText(reportDir.resolve("report.md"), markdown);
      Artifacts.writeText(reportDir.resolve("report.json"), report.json());
    }
    console.printf(
        "%nwrote %s (%,d bytes, %.1f× smaller than dense fp32)%n",
        out, Files.size(out), report.ratio());
    return 0;
  }

  private CompressionPlan plan(Optional<PaperResults> paper) {
    if (keep.isEmpty() && pruneStd.isEmpty()) {
      PaperResults published =
          paper.orElseThrow(
              () ->
                  new UserInputException(
                      "say how to prune: --keep LAYER=FRACTION or --prune-std LAYER=Q"));
      CompressionPlan defaults = CompressionPlan.paper(published);
      return new CompressionPlan(
          defaults.pruning(),
          merged(defaults.weightBits(), bits),
          merged(defaults.withAutoGapBits().gapBits(), gapBits),
          pruneIterations,
          pruneEpochs,
          clusterEpochs,
          distill.retrainRateScale(defaults.retrainLearningRateScale()),
          init,
          distill.distilling(defaults.distilling()));
    }
    Map<String, ThresholdPolicy> pruning = new LinkedHashMap<>();
    try {
      keep.forEach((layer, f) -> pruning.put(layer, new ThresholdPolicy.KeptFraction(f)));
      pruneStd.forEach((layer, q) -> pruning.put(layer, new ThresholdPolicy.QualityTimesStd(q)));
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
    Map<String, Integer> layerBits = new LinkedHashMap<>();
    Map<String, Integer> layerGaps = new LinkedHashMap<>();
    for (String layer : pruning.keySet()) {
      layerBits.put(layer, bits.getOrDefault(layer, DEFAULT_BITS));
      layerGaps.put(layer, gapBits.getOrDefault(layer, CompressionPlan.AUTO_GAP_BITS));
    }
    return new CompressionPlan(
        pruning,
        layerBits,
        layerGaps,
        pruneIterations,
        pruneEpochs,
        clusterEpochs,
        distill.retrainRateScale(CompressionPlan.DEFAULT_RETRAINING_RATE_SCALE),
        init,
        distill.distilling(CompressionPlan.Distilling.OFF));
  }

  private static Map<String, Integer> merged(
      Map<String, Integer> defaults, Map<String, Integer> overrides) {
    Map<String, Integer> result = new LinkedHashMap<>(defaults);
    result.putAll(overrides);
    return result;
  }
}
