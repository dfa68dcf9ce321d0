package dev.deepcompress.pipeline;

import dev.deepcompress.compression.Quantized;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pipeline.trials.TrialExecutor;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.SolverConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The grid of a sensitivity analysis and how its trials run. */
final class SensitivityOptions {
  static final List<Double> DEFAULT_KEEP =
      List.of(0.5, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.035, 0.025, 0.018, 0.012, 0.008);
  static final List<Integer> DEFAULT_BITS = List.of(1, 2, 3, 4, 5, 6, 7, 8);

  @Option(
      names = "--keep-grid",
      split = ",",
      paramLabel = "FRACTIONS",
      description = "Kept fractions to try on each layer (default 0.5,0.3,…,0.008).")
  List<Double> keep = DEFAULT_KEEP;

  @Option(
      names = "--bits-grid",
      split = ",",
      paramLabel = "BITS",
      description = "Codebook index widths to try on each layer (default 1-8).")
  List<Integer> bits = DEFAULT_BITS;

  @Option(
      names = "--retrain-images",
      paramLabel = "N",
      defaultValue = "0",
      converter = Converters.NonNegativeCount.class,
      description =
          "Retrain each change for one pass over the first N training images before measuring it"
              + " again (default 0: no retraining).")
  int retrainImages;

  @Option(
      names = "--trial-threads",
      paramLabel = "N",
      converter = Converters.PositiveCount.class,
      description = "Trials run at once (default: the kernel thread count).")
  Integer trialThreads;

  int trialThreads() {
    return trialThreads != null ? trialThreads : KernelThreads.threads();
  }

  /** Checks the grid; a bad value is a user error. */
  void validate() {
    for (double k : keep) {
      if (!(k > 0 && k <= 1)) {
        throw new UserInputException("--keep-grid: kept fractions must be in (0, 1], got " + k);
      }
    }
    for (int b : bits) {
      if (b < 1 || b > Quantized.MAX_BITS) {
        throw new UserInputException(
            "--bits-grid: widths must be 1-" + Quantized.MAX_BITS + ", got " + b);
      }
    }
  }

  /**
   * Runs the grid on every layer with weights of {@code reference}.
   *
   * @param solver the reference's solver; the short retraining runs at {@code retrainScale} of its
   *     first rate, fixed
   */
  Sensitivity.Table run(
      Model reference,
      DatasetSplits splits,
      int batchSize,
      SolverConfig solver,
      double retrainScale,
      CompressionPlan.Distilling distilling,
      KMeans1D.Init init,
      long seed,
      TrialExecutor executor,
      PrintStream console) {
    validate();
    if (retrainImages > splits.train().count()) {
      throw new UserInputException(
          "--retrain-images "
              + retrainImages
              + " is more than the "
              + splits.train().count()
              + " training images");
    }
    Sensitivity.Context context =
        new Sensitivity.Context(
            reference,
            Map.of(),
            splits.validation(),
            splits.train().subset(0, retrainImages),
            batchSize,
            solver.withSchedule(
                new LearningRateSchedule.Fixed(solver.schedule().rate(0) * retrainScale)),
            distilling,
            init,
            // The paper's step, as reproduce's plans retrain with.
            QuantizerSpec.CentroidStep.SUM,
            seed);
    return Sensitivity.run(
        context,
        reference.architecture().weightNamesByLayer(),
        keep,
        bits,
        executor,
        new TrialLog(console, "sensitivity"));
  }
}
