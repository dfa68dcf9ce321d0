package dev.deepcompress.pipeline;

import picocli.CommandLine.Option;

/** Whether and how retraining distils from the reference network. */
final class DistillOptions {
  @Option(
      names = "--distill-weight",
      paramLabel = "ALPHA",
      description =
          "Weight of the reference network's softened outputs in the retraining loss, 0-1"
              + " (0: labels only, as the paper does; default ${DEFAULT-VALUE}).")
  double softWeight;

  @Option(
      names = "--distill-temperature",
      paramLabel = "T",
      defaultValue = "2",
      description = "Softmax temperature of distillation (default ${DEFAULT-VALUE}).")
  double temperature;

  CompressionPlan.Distilling distilling() {
    return new CompressionPlan.Distilling(temperature, softWeight);
  }
}
