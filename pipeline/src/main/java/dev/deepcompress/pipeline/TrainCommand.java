package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a reference network with Caffe's LeNet solver and save it as a model file.",
      "The file records how samples become inputs: uint8 pixels are scaled by 1/256, as Caffe"
          + " scales MNIST; float32 samples are taken as already scaled.",
    })
final class TrainCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin DataFileOptions files;

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
      description = "mnist or fashion-mnist (default mnist, unless --train-data is given).",
      converter = Converters.DatasetName.class)
  DatasetKind kind;

  @Option(
      names = "--epochs",
      defaultValue = "" + ReferenceTraining.DEFAULT_EPOCHS,
      converter = Converters.PositiveCount.class,
      description = "Passes over the training set (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for initialisation and shuffling.")
  long seed;

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      converter = Converters.PositiveCount.class,
      description = "Mini-batch size.")
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
    OutputPaths.requireWritableTarget(out);
    PrintStream console = System.out;

    DatasetSplits loaded = files.load(kind, data);
    // Pixels get the LeNets' own scaling; fp32 samples are taken as already scaled.
    Preprocessing preprocessing =
        loaded.train().elementType() == SampleSet.ElementType.UINT8
            ? ReferenceArchitectures.pixelScaling()
            : Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f);
    DatasetSplits splits =
        loaded.preparedFor(
            architecture.inputShape(), architecture.outputShape().elementCount(), preprocessing);
    Batches batches = new Batches(splits.train(), batchSize, seed);
    SolverConfig solver =
        SolverConfig.caffeLenet().withSchedule(learningRate.schedule(batches.batchesPerEpoch()));
    ReferenceTraining.Settings settings =
        new ReferenceTraining.Settings(
            architecture, loaded.name(), preprocessing, epochs, seed, batchSize, solver);
    long start = System.nanoTime();
    Network network = ReferenceTraining.train(settings, splits, console);
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    Map<String, String> metadata = settings.metadata();
    if (splits.validation().count() > 0) {
      metadata.put(DataFileOptions.HELD_OUT_KEY, Integer.toString(splits.validation().count()));
    }
    ModelFile.write(network.toModel(metadata), out);

    // The figure reported is the figure of the file, read back by the runtime.
    Model written = ModelFile.read(out);
    Evaluation.Result fromFile = Artifacts.measure(written, splits.test());
    console.printf(
        "wrote %s (%,d bytes) in %.1f s of training; test error from the file: %.2f%% (%d/%d)%n",
        out,
        Files.size(out),
        trainSeconds,
        fromFile.errorPercent(),
        fromFile.errors(),
        fromFile.total());
    if (splits.validation().count() > 0) {
      Evaluation.Result validation = Artifacts.measure(written, splits.validation());
      console.printf(
          "validation error from the file: %.2f%% (%d/%d)%n",
          validation.errorPercent(), validation.errors(), validation.total());
    }
    return 0;
  }

  static final class ModelNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return ReferenceArchitectures.names().iterator();
    }
  }
}
