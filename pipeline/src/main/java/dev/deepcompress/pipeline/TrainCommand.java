package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train a reference network with Caffe's LeNet solver and save it as a model file.")
final class TrainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "NAME",
      description = "Architecture to train: ${COMPLETION-CANDIDATES}.",
      completionCandidates = ModelNames.class,
      converter = Converters.ArchitectureName.class)
  Architecture architecture;

  @Option(
      names = "--dataset",
      defaultValue = "mnist",
      description = "mnist or fashion-mnist.",
      converter = Converters.DatasetName.class)
  DatasetKind kind;

  @Option(
      names = "--epochs",
      defaultValue = "" + ReferenceTraining.DEFAULT_EPOCHS,
      description = "Passes over the training set (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for initialisation and shuffling.")
  long seed;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size.")
  int batchSize;

  @Mixin LearningRateOptions learningRate;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Model file to write.")
  Path out;

  @Override
  public Integer call() throws Exception {
    common.apply();
    if (epochs < 1 || batchSize < 1) {
      throw new UserInputException("--epochs and --batch-size must be positive");
    }
    OutputPaths.requireWritableTarget(out);
    PrintStream console = System.out;

    Preprocessing preprocessing = ReferenceArchitectures.pixelScaling();
    DatasetSplits splits =
        Datasets.load(kind, data.toDatasetOptions())
            .preparedFor(
                architecture.inputShape(),
                architecture.outputShape().elementCount(),
                preprocessing);
    Batches batches = new Batches(splits.train(), batchSize, seed);
    SolverConfig solver =
        SolverConfig.caffeLenet().withSchedule(learningRate.schedule(batches.batchesPerEpoch()));
    ReferenceTraining.Settings settings =
        new ReferenceTraining.Settings(
            architecture, kind, preprocessing, epochs, seed, batchSize, solver);
    long start = System.nanoTime();
    Network network = ReferenceTraining.train(settings, splits, console);
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    ModelFile.write(network.toModel(settings.metadata()), out);

    // The figure reported is the figure of the file, read back by the runtime.
    Evaluation.Result fromFile = Artifacts.measure(ModelFile.read(out), splits.test());
    console.printf(
        "wrote %s (%,d bytes) in %.1f s of training; test error from the file: %.2f%% (%d/%d)%n",
        out,
        Files.size(out),
        trainSeconds,
        fromFile.errorPercent(),
        fromFile.errors(),
        fromFile.total());
    return 0;
  }

  static final class ModelNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return ReferenceArchitectures.names().iterator();
    }
  }
}
