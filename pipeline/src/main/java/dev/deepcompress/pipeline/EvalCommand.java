package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Measure a model file's error on the full test set, as the runtime reads it.")
final class EvalCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Mixin DataOptions data;
  @Mixin DataFileOptions files;

  @Parameters(index = "0", paramLabel = "FILE", description = "Model file to evaluate.")
  Path file;

  @Option(
      names = "--dataset",
      description = "Test set to use (default: the one recorded in the file, else mnist).",
      converter = Converters.DatasetName.class)
  DatasetKind kind;

  @Override
  public Integer call() throws Exception {
    common.apply();
    files.requireTestOnly();
    Model model = ModelFile.read(file);
    Optional<Preprocessing> preprocessing = ModelInputs.of(model, file, System.out);
    String dataset;
    SampleSet test;
    if (files.givesFiles()) {
      if (kind != null) {
        throw new UserInputException(
            "--dataset and --test-data exclude each other: give one or the other");
      }
      test = files.loadTest();
      dataset = files.testData;
    } else {
      DatasetKind named = kind != null ? kind : recordedDataset(model, file);
      test = Datasets.load(named, data.toDatasetOptions()).test();
      dataset = named.cliName();
    }
    InferenceNetwork network = InferenceNetwork.of(model);
    Evaluation.Result result =
        Evaluation.evaluate(network::predict, ModelInputs.prepare(test, model, preprocessing));
    System.out.printf(
        "%s: %s, %,d bytes, %s test error %.2f%% (%d/%d)%n",
        file,
        model.architecture().name(),
        Files.size(file),
        dataset,
        result.errorPercent(),
        result.errors(),
        result.total());
    return 0;
  }

  /** The dataset a model was trained on, as its file records it (MNIST when it does not). */
  static DatasetKind recordedDataset(Model model, Path file) {
    String recorded = model.metadata().getOrDefault("dataset", DatasetKind.MNIST.cliName());
    try {
      return DatasetKind.fromCliName(recorded);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(
          file
              + " was trained on '"
              + recorded
              + "', which is not a data set this version can load; give --dataset or --test-data");
    }
  }
}
