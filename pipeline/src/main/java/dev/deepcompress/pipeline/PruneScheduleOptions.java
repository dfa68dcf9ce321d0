package dev.deepcompress.pipeline;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How pruning reaches the planned kept fractions. */
final class PruneScheduleOptions {
  @Option(
      names = "--prune-schedule",
      paramLabel = "iterative|cubic",
      converter = Name.class,
      description =
          "How pruning reaches the kept fractions over its --prune-iterations × --prune-epochs"
              + " epochs: iterative (the paper's prune-retrain rounds) or cubic (gradual"
              + " pruning: the masks narrow ten times an epoch along a cubic sparsity ramp over"
              + " the first two thirds of the epochs, then retraining at the final masks; needs"
              + " kept fractions, not --prune-std). Default: iterative, or a --plan file's.")
  CompressionPlan.PruneSchedule schedule;

  /**
   * {@code planned} with the schedule the command line gives, if it gives one.
   *
   * @param searching whether a --max-error search plans the pruning instead
   * @throws UserInputException if the schedule is one a search would not follow
   */
  CompressionPlan.Retraining apply(CompressionPlan.Retraining planned, boolean searching) {
    CompressionPlan.Retraining result =
        schedule == null ? planned : planned.withPruneSchedule(schedule);
    if (searching && result.pruneSchedule() != CompressionPlan.PruneSchedule.ITERATIVE) {
      throw new UserInputException(
          "--max-error prunes in rounds of its own: it does not follow the "
              + result.pruneSchedule().word()
              + " pruning schedule");
    }
    return result;
  }

  static final class Name implements CommandLine.ITypeConverter<CompressionPlan.PruneSchedule> {
    @Override
    public CompressionPlan.PruneSchedule convert(String value) {
      try {
        return CompressionPlan.PruneSchedule.of(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
