package dev.deepcompress.training;

import java.util.Locale;

/** Learning rate as a function of the iteration number, with Caffe's policies. */
public sealed interface LearningRateSchedule {

  double rate(long iteration);

  /** The same policy with its base rate multiplied by {@code factor}. */
  LearningRateSchedule scaled(double factor);

  String describe();

  record Fixed(double base) implements LearningRateSchedule {
    @Override
    public double rate(long iteration) {
      return base;
    }

    @Override
    public LearningRateSchedule scaled(double factor) {
      return new Fixed(base * factor);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "fixed lr=%g", base);
    }
  }

  /** Caffe "inv": base·(1 + gamma·iteration)^(-power). */
  record Inv(double base, double gamma, double power) implements LearningRateSchedule {
    @Override
    public double rate(long iteration) {
      return base * Math.pow(1 + gamma * iteration, -power);
    }

    @Override
    public LearningRateSchedule scaled(double factor) {
      return new Inv(base * factor, gamma, power);
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "inv lr=%g gamma=%g power=%g", base, gamma, power);
    }
  }

  /** Caffe "step": base·gamma^floor(iteration / stepSize). */
  record Step(double base, double gamma, long stepSize) implements LearningRateSchedule {
    public Step {
      if (stepSize <= 0) {
        throw new IllegalArgumentException("step size must be positive, got " + stepSize);
      }
    }

    @Override
    public double rate(long iteration) {
      return base * Math.pow(gamma, Math.floorDiv(iteration, stepSize));
    }

    @Override
    public LearningRateSchedule scaled(double factor) {
      return new Step(base * factor, gamma, stepSize);
    }

    @Override
    public String describe() {
      return String.format(
          Locale.ROOT, "step lr=%g gamma=%g every %d iterations", base, gamma, stepSize);
    }
  }
}
