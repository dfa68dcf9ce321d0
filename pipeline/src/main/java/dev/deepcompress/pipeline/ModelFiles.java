package dev.deepcompress.pipeline;

import dev.deepcompress.onnx.OnnxImportException;
import dev.deepcompress.onnx.OnnxImporter;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Reads the model a command is given: a {@code .dcmodel} file, or an ONNX file imported. */
final class ModelFiles {
  private ModelFiles() {}

  static boolean isOnnx(Path file) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  /**
   * An ONNX file is imported under the name of its file (without the extension), with the input
   * preprocessing the options give; a model file records its own, so the options must be absent.
   */
  static Model read(Path file, InputPreprocessingOptions preprocessing)
      throws IOException, OnnxImportException {
    if (isOnnx(file)) {
      return preprocessing.applyTo(OnnxImporter.read(file, OnnxImporter.defaultName(file)));
    }
    if (preprocessing.given()) {
      throw new UserInputException(
          "--input-scale, --input-mean and --input-std apply to an ONNX input; "
              + file
              + " is a model file, which records its own preprocessing");
    }
    return ModelFile.read(file);
  }
}
