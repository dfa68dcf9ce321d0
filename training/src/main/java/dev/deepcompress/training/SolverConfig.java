package dev.deepcompress.training;

/**
 * SGD settings. Caffe's update: {@code v = momentum·v + lr·mult·(g + decay·w); w -= v}, where
 * {@code mult} is 1 for weights and {@code biasLearningRateMultiplier} for biases.
 */
public record SolverConfig(
    LearningRateSchedule schedule,
    double momentum,
    double weightDecay,
    double biasLearningRateMultiplier) {

  /** The solver of Caffe's LeNet examples, which the paper's references were trained with. */
  public static SolverConfig caffeLenet() {
    return new SolverConfig(new LearningRateSchedule.Inv(0.01, 1e-4, 0.75), 0.9, 5e-4, 2.0);
  }

  public SolverConfig withSchedule(LearningRateSchedule newSchedule) {
    return new SolverConfig(newSchedule, momentum, weightDecay, biasLearningRateMultiplier);
  }

  public String describe() {
    return schedule.describe()
        + ", momentum "
        + momentum
        + ", weight decay "
        + weightDecay
        + ", bias lr ×"
        + biasLearningRateMultiplier;
  }
}
