package dev.deepcompress.pipeline;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Compression under an error budget: the budget and how the search runs. */
final class SearchOptions {
  @Option(
      names = "--max-error",
      paramLabel = "E",
      description =
          "Search each layer's kept fraction and codebook width for the smallest file whose"
              + " validation error is at most E percent (e.g. 2.4), or at most E points above the"
              + " reference's validation error (e.g. +0.1). Needs a validation split.")
  String maxError;

  @Option(
      names = "--pruning-share",
      defaultValue = "1",
      paramLabel = "S",
      description =
          "Share of the error allowance (the budget minus the reference's errors) pruning may"
              + " use, 0-3; quantization gets the rest and what centroid retraining wins back, which"
              + " on LeNet-300-100 was 10-15 validation errors, so above 1 pruning may end over"
              + " the budget for quantization to recover (default ${DEFAULT-VALUE}).")
  double pruningShare;

  private static final int MAX_PRUNING_SHARE = 3;

  @Option(
      names = "--back-offs",
      defaultValue = "3",
      paramLabel = "N",
      converter = Converters.NonNegativeCount.class,
      description =
          "Times quantization may start again with a wider codebook for the layer that costs the"
              + " most errors when the budget is missed (default ${DEFAULT-VALUE}).")
  int backOffs;

  @Option(
      names = "--narrowings",
      defaultValue = "4",
      paramLabel = "N",
      converter = Converters.NonNegativeCount.class,
      description =
          "Times quantization within the budget may start again with narrower codebooks, chosen"
              + " with the errors centroid retraining left unused (default ${DEFAULT-VALUE}).")
  int narrowings;

  @Option(
      names = "--width-retrain-images",
      defaultValue = "10000",
      paramLabel = "N",
      converter = Converters.NonNegativeCount.class,
      description =
          "Before choosing codebook widths, retrain each width of each pruned layer once over N"
              + " training samples and measure it then: centroid retraining repairs much of what"
              + " sharing costs (default ${DEFAULT-VALUE}; 0: measure right after sharing).")
  int widthRetrainImages;

  @Option(
      names = "--refit",
      description =
          "After the search, compress once more with the chosen plan on all training images, the"
              + " validation split included (reproduce: from a reference trained on all of them),"
              + " and write that model. The budget is checked on the searched model; the refitted"
              + " one has no held-out images left to check it on.")
  boolean refit;

  @Mixin SensitivityOptions grid;

  boolean enabled() {
    return maxError != null;
  }

  /**
   * @throws CommandLine.ParameterException if --refit is given without a search to take the plan
   *     from
   */
  void requireSearchForRefit(CommandLine commandLine) {
    if (refit && !enabled()) {
      throw new CommandLine.ParameterException(
          commandLine, "--refit applies the plan a search chose: give --max-error too");
    }
  }

  /** What a refitted file's metadata says of how it was made. */
  static String refitNote(int trainingSamples) {
    return String.format(
        Locale.ROOT,
        "the searched plan retrained on all %d training samples, the validation split included",
        trainingSamples);
  }

  /**
   * The most validation samples the result may misclassify: E percent of {@code total}, or the
   * reference's errors plus E points of {@code total}, rounded down.
   */
  int maxErrors(int referenceErrors, int total) {
    String text = maxError.strip();
    boolean relative = text.startsWith("+");
    double value;
    try {
      value = Double.parseDouble(relative ? text.substring(1) : text);
    } catch (NumberFormatException e) {
      throw new UserInputException(
          "--max-error must be a percentage (e.g. 2.4) or points above the reference (e.g. +0.1),"
              + " got '"
              + maxError
              + "'");
    }
    if (!(value >= 0 && value <= 100)) {
      throw new UserInputException("--max-error must be between 0 and 100, got '" + maxError + "'");
    }
    // The small epsilon keeps 1.64% of 5000 at 82 despite binary rounding.
    double percent = relative ? 100.0 * referenceErrors / total + value : value;
    return (int) Math.floor(percent * total / 100 + 1e-9);
  }

  /** The search settings for a reference that misclassifies {@code referenceErrors}. */
  Search.Settings settings(int referenceErrors, int total, boolean pruneUnusedUnits) {
    grid.validate();
    if (!(pruningShare >= 0 && pruningShare <= MAX_PRUNING_SHARE)) {
      throw new UserInputException(
          "--pruning-share must be between 0 and " + MAX_PRUNING_SHARE + ", got " + pruningShare);
    }
    return new Search.Settings(
        maxErrors(referenceErrors, total),
        grid.keep,
        grid.bits,
        grid.retrainImages,
        pruningShare,
        backOffs,
        narrowings,
        pruneUnusedUnits,
        widthRetrainImages);
  }

  String describe() {
    return String.format(Locale.ROOT, "validation error at most %s", maxError);
  }
}
