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

  /** An ONNX file is imported under the name of its file (without the extension). */
  static Model read(Path file) throws IOException, OnnxImportException {
    return isOnnx(file)
        ? OnnxImporter.read(file, OnnxImporter.defaultName(file))
        : ModelFile.read(file);
  }
}
