package dev.deepcompress.pipeline;

import dev.deepcompress.training.LearningRateSchedule;
import picocli.CommandLine.Option;

/** The learning-rate policy, in Caffe's terms. */
final class LearningRateOptions {
  enum Policy {
    inv,
    step,
    fixed
  }

  @Option(
      names = "--lr",
      defaultValue = "0.05",
      converter = Converters.PositiveNumber.class,
      description = "Base learning rate (default ${DEFAULT-VALUE}).")
  double base;

  @Option(
      names = "--lr-policy",
      defaultValue = "step",
      description =
          "inv: lr·(1+γ·iter)^-power; step: lr·γ^floor(epoch/step); fixed (default ${DEFAULT-VALUE}).")
  Policy policy;

  @Option(names = "--lr-gamma", description = "γ (default 1e-4 for inv, 0.1 for step).")
  Double gamma;

  @Option(names = "--lr-power", defaultValue = "0.75", description = "Power of the inv policy.")
  double power;

  @Option(
      names = "--lr-step-epochs",
      defaultValue = "10",
      converter = Converters.PositiveCount.class,
      description = "Epochs between steps of the step policy.")
  int stepEpochs;

  LearningRateSchedule schedule(int batchesPerEpoch) {
    return switch (policy) {
      case inv -> new LearningRateSchedule.Inv(base, gamma == null ? 1e-4 : gamma, power);
      case step ->
          new LearningRateSchedule.Step(
              base, gamma == null ? 0.1 : gamma, (long) stepEpochs * batchesPerEpoch);
      case fixed -> new LearningRateSchedule.Fixed(base);
    };
  }
}
