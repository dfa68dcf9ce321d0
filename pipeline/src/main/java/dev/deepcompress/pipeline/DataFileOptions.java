package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Model;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** Data from files instead of a named data set, and the validation split. */
final class DataFileOptions {
  @Option(
      names = "--train-data",
      paramLabel = "FILES",
      description = {
        "Training data from files instead of --dataset: an .npz archive holding the arrays x"
            + " (samples) and y (labels), or SAMPLES,LABELS: two NumPy .npy files or two IDX"
            + " files (plain or .gz). Samples are uint8 or float32, shaped [N, D], [N, H, W] or"
            + " [N, C, H, W]; labels are integers from 0 to the model's outputs - 1.",
      })
  String trainData;

  @Option(
      names = "--test-data",
      paramLabel = "FILES",
      description = "Test data from files, given as for --train-data.")
  String testData;

  @Option(
      names = "--validation",
      paramLabel = "N",
      converter = Converters.NonNegativeCount.class,
      description =
          "Hold out N training samples as the validation split that model selection uses:"
              + " of the M training samples, those at positions floor(j*M/N) for j < N, evenly"
              + " spread (default: for a command that starts from a model file, the count the file"
              + " records as held out of its training; else 0: none).")
  Integer validation;

  /** The metadata key under which a trained model records the samples held out of its training. */
  static final String HELD_OUT_KEY = "train.validation_samples";

  /**
   * The validation samples to hold out for a run that starts from {@code model}: {@code
   * --validation N} when given, else the count {@code model} records as held out of its training
   * (so selection sees samples its training never saw), else 0. Says so on {@code console} when the
   * split is not the one the model was trained without, since its errors on that split are then
   * optimistic.
   */
  int validationFor(Model model, Path file, PrintStream console) {
    String recorded = model.metadata().get(HELD_OUT_KEY);
    int count;
    if (validation != null) {
      count = validation;
    } else if (recorded == null) {
      count = 0;
    } else {
      try {
        count = Integer.parseInt(recorded);
      } catch (NumberFormatException e) {
        throw new UserInputException(
            file + " records '" + recorded + "' validation samples; give --validation N");
      }
    }
    if (count > 0 && !String.valueOf(count).equals(recorded)) {
      console.printf(
          "note: %s was not trained without exactly these %d validation samples, so its errors on"
              + " them may be optimistic%n",
          file, count);
    }
    return count;
  }

  /** Whether data comes from files. */
  boolean givesFiles() {
    return trainData != null || testData != null;
  }

  /**
   * Training and test data, from files or else the named data set, with the validation split.
   *
   * @param kind the data set named with {@code --dataset}, or null for none (MNIST unless files are
   *     given)
   */
  DatasetSplits load(DatasetKind kind, DataOptions sources) throws DatasetException {
    return load(kind, sources, validation == null ? 0 : validation);
  }

  /** As {@link #load(DatasetKind, DataOptions)}, holding out {@code validation} samples. */
  DatasetSplits load(DatasetKind kind, DataOptions sources, int validation)
      throws DatasetException {
    DatasetSplits splits;
    if (givesFiles()) {
      if (kind != null) {
        throw new UserInputException(
            "--dataset and --train-data/--test-data exclude each other: give one or the other");
      }
      if (trainData == null || testData == null) {
        throw new UserInputException("--train-data and --test-data go together: give both");
      }
      List<Path> trainFiles = paths(trainData);
      SampleSet train = Datasets.readFiles(trainFiles);
      SampleSet test = Datasets.readFiles(paths(testData));
      if (train.elementType() != test.elementType()) {
        throw new UserInputException(
            "the training samples are "
                + train.elementType().name().toLowerCase(Locale.ROOT)
                + " but the test samples "
                + test.elementType().name().toLowerCase(Locale.ROOT)
                + ": give both in one type");
      }
      // Named by the training files, without their directories, so that it says the same thing
      // wherever the data lies.
      splits =
          new DatasetSplits(
              trainFiles.stream()
                  .map(file -> String.valueOf(file.getFileName()))
                  .collect(Collectors.joining(",")),
              train,
              test);
    } else {
      splits = Datasets.load(kind != null ? kind : DatasetKind.MNIST, sources.toDatasetOptions());
    }
    if (validation == 0) {
      return splits;
    }
    if (validation >= splits.train().count()) {
      throw new UserInputException(
          "--validation "
              + validation
              + " leaves no training samples: there are "
              + splits.train().count());
    }
    return splits.withValidation(validation);
  }

  /** Fails unless only --test-data is given, if anything: eval reads test data alone. */
  void requireTestOnly() {
    if (trainData != null || validation != null) {
      throw new UserInputException(
          "eval reads test data only: give --test-data, not --train-data or --validation");
    }
  }

  /** The samples of --test-data. */
  SampleSet loadTest() throws DatasetException {
    return Datasets.readFiles(paths(testData));
  }

  private static List<Path> paths(String files) {
    List<Path> paths = new ArrayList<>();
    for (String file : files.split(",", -1)) {
      if (file.isBlank()) {
        throw new UserInputException("'" + files + "' names an empty file");
      }
      try {
        paths.add(Path.of(file.strip()));
      } catch (InvalidPathException e) {
        throw new UserInputException("not a file path: '" + file + "'");
      }
    }
    return paths;
  }
}
