package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pipeline.trials.LocalTrialExecutor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** A search run from the command line: the budget resolved, trials on local threads, reports. */
final class SearchRun {
  private SearchRun() {}

  /**
   * Runs {@link Search} on {@code network} and writes the sensitivity tables and charts into {@code
   * reportDirectory}, if not null.
   */
  static Search.Outcome run(
      Network network,
      DatasetSplits splits,
      SolverConfig solver,
      int batchSize,
      long seed,
      CompressionPlan base,
      SearchOptions options,
      boolean pruneUnusedUnits,
      Map<String, String> metadata,
      Path reportDirectory,
      PrintStream console)
      throws IOException {
    int referenceErrors = Sensitivity.errors(network::predict, splits.validation());
    Search.Settings settings =
        options.settings(referenceErrors, splits.validation().count(), pruneUnusedUnits);
    Search.Outcome outcome;
    try (LocalTrialExecutor executor = new LocalTrialExecutor(options.grid.trialThreads())) {
      outcome =
          Search.run(
              network, splits, solver, batchSize, seed, base, settings, executor, metadata,
              console);
    }
    console.println("search: chosen plan: " + outcome.plan().describe());
    if (reportDirectory != null) {
      Files.createDirectories(reportDirectory);
      SensitivityReport.write(
          outcome.sensitivity(), network.architecture().name(), reportDirectory, "");
      Artifacts.writeText(reportDirectory.resolve("plan.json"), outcome.plan().toJson());
      console.printf(
          Locale.ROOT,
          "search: plan.json (reusable with compress --plan), sensitivity.md, sensitivity.json and"
              + " charts in %s%n",
          reportDirectory);
    }
    return outcome;
  }
}
