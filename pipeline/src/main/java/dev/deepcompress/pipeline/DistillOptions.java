package dev.deepcompress.pipeline;

import picocli.CommandLine.Option;

/** How retraining runs: whether it distils from the reference network, and at what rate. */
final class DistillOptions {
  @Option(
      names = "--retrain-rate-scale",
      paramLabel = "F",
      description =
          "Retraining runs at F times the reference's base learning rate (default: 0.02 for"
              + " lenet-5, else 0.1).")
  Double retrainRateScale;

  /** The planned retraining rate scale unless the command line gives one. */
  double retrainRateScale(double planned) {
    if (retrainRateScale == null) {
      return planned;
    }
    if (!(retrainRateScale > 0) || Double.isInfinite(retrainRateScale)) {
      throw new UserInputException(
          "--retrain-rate-scale must be a positive number, got " + retrainRateScale);
    }
    return retrainRateScale;
  }

  @Option(
      names = "--distill-weight",
      paramLabel = "ALPHA",
      description =
          "Weight of the reference network's softened outputs in the retraining loss, 0-1"
              + " (0: labels only, as the paper does; default: 0.5 for reproduce lenet-5, else 0).")
  Double softWeight;

  @Option(
      names = "--distill-temperature",
      paramLabel = "T",
      description = "Softmax temperature of distillation (default 2).")
  Double temperature;

  /** The planned distillation with whatever the command line overrides. */
  CompressionPlan.Distilling distilling(CompressionPlan.Distilling planned) {
    double weight = softWeight != null ? softWeight : planned.softWeight();
    double defaultTemperature = planned.enabled() ? planned.temperature() : 2;
    double t = temperature != null ? temperature : defaultTemperature;
    return UserInputException.check(() -> new CompressionPlan.Distilling(t, weight));
  }
}
