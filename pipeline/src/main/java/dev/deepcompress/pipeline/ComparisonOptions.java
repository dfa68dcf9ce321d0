package dev.deepcompress.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How {@code compare} and {@code figures} train, split and retrain. */
final class ComparisonOptions {
  @Option(
      names = "--prune-iterations",
      defaultValue = "3",
      converter = Converters.PositiveCount.class,
      description = "Pruning rounds of a pruned model (default ${DEFAULT-VALUE}).")
  int pruneIterations;

  @Option(
      names = "--prune-epochs",
      defaultValue = "1",
      converter = Converters.NonNegativeCount.class,
      description = "Retraining epochs per pruning round (default ${DEFAULT-VALUE}).")
  int pruneEpochs;

  @Option(
      names = "--quantize-epochs",
      defaultValue = "1",
      converter = Converters.NonNegativeCount.class,
      description = "Retraining epochs of a trained quantizer (default ${DEFAULT-VALUE}).")
  int quantizeEpochs;

  @Option(
      names = "--validation",
      defaultValue = "5000",
      converter = Converters.PositiveCount.class,
      description =
          "Training images held out for selection; the reference never sees them (default"
              + " ${DEFAULT-VALUE}).")
  int validation;

  @Mixin ReferenceOptions referenceOptions;

  @Option(
      names = "--train-subset",
      paramLabel = "N",
      converter = Converters.PositiveCount.class,
      description =
          "Train on the first N training images only (a quick smoke run, not a measurement);"
              + " the reference and the pruned models are then trained anew and not cached.")
  Integer trainSubset;

  Comparison comparison(
      String model, DataOptions data, LearningRateOptions learningRate, PrintStream console)
      throws IOException {
    return Comparison.forModel(
        model,
        validation,
        trainSubset == null ? 0 : trainSubset,
        referenceOptions.epochs,
        data,
        referenceOptions.seed,
        learningRate,
        console);
  }
}
