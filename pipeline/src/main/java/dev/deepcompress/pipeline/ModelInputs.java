package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.training.ReferenceArchitectures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/** How the command line turns data into a model's inputs. */
final class ModelInputs {
  private ModelInputs() {}

  /**
   * The preprocessing a model file records. A file from before format 1.2 records none; those that
   * deepcompress trained itself on MNIST or Fashion-MNIST (their metadata says so) were trained on
   * pixels / 256, which is then assumed, with a note on the console. Any other file without one
   * gets none: its inputs go to the network as they are.
   */
  static Optional<Preprocessing> of(Model model, Path file, PrintStream console) {
    if (model.preprocessing().isPresent()) {
      return model.preprocessing();
    }
    String dataset = model.metadata().get("dataset");
    boolean ownMnistFile =
        DatasetKind.MNIST.cliName().equals(dataset)
            || DatasetKind.FASHION_MNIST.cliName().equals(dataset);
    if (!ownMnistFile) {
      return Optional.empty();
    }
    Shape input = model.architecture().inputShape();
    console.printf(
        "%s records no input preprocessing (written before format 1.2); using pixels / 256,"
            + " which deepcompress trained it with%n",
        file);
    return Optional.of(
        Preprocessing.scaled(
            input.rank() == 3 ? Preprocessing.Layout.CHANNELS_FIRST : Preprocessing.Layout.FLAT,
            ReferenceArchitectures.PIXEL_SCALE));
  }

  /**
   * The data prepared for {@code model}: checked against its input shape and outputs, with {@code
   * preprocessing} (none: inputs as they are).
   */
  static DatasetSplits prepare(
      DatasetSplits data, Model model, Optional<Preprocessing> preprocessing)
      throws DatasetException {
    return data.preparedFor(
        model.architecture().inputShape(),
        model.architecture().outputShape().elementCount(),
        preprocessing.orElse(Preprocessing.identity()));
  }

  /**
   * One sample set prepared for {@code model}, as by {@link #prepare(DatasetSplits, Model,
   * Optional)}.
   */
  static SampleSet prepare(SampleSet data, Model model, Optional<Preprocessing> preprocessing)
      throws DatasetException {
    return data.preparedFor(
        model.architecture().inputShape(),
        model.architecture().outputShape().elementCount(),
        preprocessing.orElse(Preprocessing.identity()));
  }
}
