package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.runtime.model.Model;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The validation split that selection uses, for commands that start from a trained model file. */
final class ValidationOptions {
  /** The metadata key under which a reference records the images held out of its training. */
  static final String HELD_OUT_KEY = "train.validation_held_out";

  @Option(
      names = "--validation",
      paramLabel = "N",
      converter = Converters.PositiveCount.class,
      description =
          "Hold out N training images as the validation split that every selection uses: of the M"
              + " training images, those at positions floor(j*M/N) for j < N (default: the count"
              + " the model file records as held out of its training).")
  Integer count;

  /**
   * {@code splits} with the validation split held out; says so when {@code model} was trained on
   * some of those images, which makes their errors optimistic.
   */
  DatasetSplits holdOut(DatasetSplits splits, Model model, Path file, PrintStream console) {
    String recorded = model.metadata().get(HELD_OUT_KEY);
    int n;
    if (count != null) {
      n = count;
    } else if (recorded != null) {
      try {
        n = Integer.parseInt(recorded);
      } catch (NumberFormatException e) {
        throw new UserInputException(
            file + " records '" + recorded + "' images held out; give --validation N");
      }
    } else {
      throw new UserInputException(
          file + " records no validation split held out of its training; give --validation N");
    }
    if (n < 1 || n >= splits.train().count()) {
      throw new UserInputException(
          "a validation split of "
              + n
              + " images needs 1 to "
              + (splits.train().count() - 1)
              + ": there are "
              + splits.train().count()
              + " training images");
    }
    if (!String.valueOf(n).equals(recorded)) {
      console.printf(
          "note: %s was not trained without exactly these %d validation images, so errors on"
              + " them may be optimistic%n",
          file, n);
    }
    return splits.withValidation(n);
  }
}
