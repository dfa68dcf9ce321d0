package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.Evaluation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files the pipeline writes, always whole or not at all, and the figures measured from them. */
final class Artifacts {
  private Artifacts() {}

  /** A written model file as the runtime reads it back: its test error and its layout. */
  record Measured(Path file, Evaluation.Result test, FileLayout layout) {}

  /**
   * Writes {@code model}, reads the file back and measures it: the figure reported is the file's.
   */
  static Measured writeAndMeasure(Model model, Path file, SampleSet test) throws IOException {
    ModelFile.write(model, file);
    return new Measured(file, measure(ModelFile.read(file), test), ModelFile.inspect(file));
  }

  /**
   * The error of a model read from a file, its inputs made by the preprocessing the file records
   * (if it records one, else as {@code test} was prepared).
   */
  static Evaluation.Result measure(Model readBack, SampleSet test) {
    SampleSet inputs = readBack.preprocessing().map(test::withPreprocessing).orElse(test);
    return Evaluation.evaluate(InferenceNetwork.of(readBack)::predict, inputs);
  }

  static void writeText(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  static void writeBytes(Path file, byte[] bytes) throws IOException {
    Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.write(temporary, bytes);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
