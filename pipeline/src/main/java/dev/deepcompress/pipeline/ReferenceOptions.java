package dev.deepcompress.pipeline;

import picocli.CommandLine.Option;

/**
 * How the commands that train their own reference train it: its seed (every stage's) and epochs.
 */
final class ReferenceOptions {
  @Option(names = "--seed", defaultValue = "1", description = "Seed for every stage.")
  long seed;

  @Option(
      names = "--epochs",
      defaultValue = "" + ReferenceTraining.DEFAULT_EPOCHS,
      converter = Converters.PositiveCount.class,
      description = "Epochs of reference training (default ${DEFAULT-VALUE}).")
  int epochs;
}
