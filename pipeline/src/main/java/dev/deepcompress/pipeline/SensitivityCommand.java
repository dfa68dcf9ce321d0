package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pipeline.trials.LocalTrialExecutor;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.SolverConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sensitivity",
    mixinStandardHelpOptions = true,
    description = {
      "Prune each layer alone at a grid of kept fractions and quantize each layer alone at a grid"
          + " of codebook bit widths, measuring the error on a validation split held out of the"
          + " training data (never the test set); optionally after a short retraining of each"
          + " change. Writes sensitivity.md, sensitivity.json and one chart per layer.",
    })
final class SensitivityCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin DataFileOptions files;
  @Mixin SensitivityOptions grid;

  @Parameters(index = "0", paramLabel = "MODEL", description = "Trained model file (dense).")
  Path input;

  @Option(
      names = "--out-dir",
      required = true,
      paramLabel = "DIR",
      description = "Where sensitivity.md, sensitivity.json and the charts go.")
  Path outDir;

  @Option(
      names = "--dataset",
      description = "Data to validate and retrain on (default: the one recorded in MODEL).",
      converter = Converters.DatasetName.class)
  DatasetKind kind;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for shuffling and k-means.")
  long seed;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size.")
  int batchSize;

  @Mixin LearningRateOptions learningRate;
  @Mixin DistillOptions distill;

  @Override
  public Integer call() throws Exception {
    common.apply();
    PrintStream console = System.out;
    Model file = ModelFile.read(input);
    Optional<Preprocessing> preprocessing = ModelInputs.of(file, input, console);
    Model reference = preprocessing.map(file::withPreprocessing).orElse(file);
    DatasetKind dataset =
        kind != null || files.givesFiles() ? kind : EvalCommand.recordedDataset(reference, input);
    int validation = files.validationFor(reference, input, console);
    if (validation == 0) {
      throw new UserInputException(
          input + " records no validation split held out of its training; give --validation N");
    }
    DatasetSplits splits =
        ModelInputs.prepare(files.load(dataset, data, validation), reference, preprocessing);
    Files.createDirectories(outDir);
    String model = reference.architecture().name();
    CompressionPlan defaults =
        PaperResults.forModel(model).map(CompressionPlan::paper).orElse(null);
    CompressionPlan.Retraining retraining =
        defaults != null ? defaults.retraining() : CompressionPlan.Retraining.DEFAULT;
    double retrainScale = distill.retrainRateScale(retraining.learningRateScale());
    CompressionPlan.Distilling distilling = distill.distilling(retraining.distilling());
    SolverConfig solver =
        SolverConfig.caffeLenet()
            .withSchedule(
                learningRate.schedule(
                    new Batches(splits.train(), batchSize, seed).batchesPerEpoch()));
    Sensitivity.Table table;
    try (LocalTrialExecutor executor = new LocalTrialExecutor(grid.trialThreads())) {
      table =
          grid.run(
              reference,
              splits,
              batchSize,
              solver,
              retrainScale,
              distilling,
              KMeans1D.Init.LINEAR,
              seed,
              executor,
              console);
    }
    for (Path written : SensitivityReport.write(table, model, outDir, "")) {
      console.println("wrote " + written);
    }
    return 0;
  }
}
