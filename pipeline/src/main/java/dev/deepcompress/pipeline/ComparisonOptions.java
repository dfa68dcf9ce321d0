package dev.deepcompress.pipeline;

import java.io.IOException;
import java.io.PrintStream;
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

  @Option(names = "--seed", defaultValue = "1", description = "Seed of every stage.")
  long seed;

  Comparison comparison(
      String model, DataOptions data, LearningRateOptions learningRate, PrintStream console)
      throws IOException {
    return Comparison.forModel(model, validation, data, seed, learningRate, console);
  }
}
