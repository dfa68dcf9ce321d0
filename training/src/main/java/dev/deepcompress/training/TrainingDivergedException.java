package dev.deepcompress.training;

/** The loss became NaN or infinite: the learning rate is too high for this model or data. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(long iteration, double loss) {
    super(
        "training diverged at iteration "
            + iteration
            + " (loss "
            + loss
            + "); lower the learning rate");
  }
}
