package dev.deepcompress.pipeline;

import dev.deepcompress.onnx.OnnxImporter;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import an ONNX model (e.g. from torch.onnx.export) as a dense model file.",
      "Supported operators: Conv, Gemm, MatMul + Add, MaxPool, AveragePool, Relu, Flatten,"
          + " Reshape, Constant, Identity, Dropout, and a final Softmax or LogSoftmax; opsets"
          + " 11-17; weights stored in the file as float32.",
    })
final class ImportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "ONNX file to import.")
  Path input;

  @Option(names = "--out", required = true, paramLabel = "OUT", description = "File to write.")
  Path out;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description =
          "The model's name (default: the ONNX file's name without .onnx). The names of the"
              + " paper's models (lenet-300-100, lenet-5) give compress their default plan.")
  String name;

  @Mixin InputPreprocessingOptions preprocessing;

  @Override
  public Integer call() throws Exception {
    common.apply();
    OutputPaths.requireWritableTarget(out);
    Model model =
        preprocessing.applyTo(
            OnnxImporter.read(input, name != null ? name : OnnxImporter.defaultName(input)));
    ModelFile.write(model, out);
    PrintStream console = System.out;
    List<Shape> shapes = model.architecture().layerInputShapes();
    List<LayerSpec> layers = model.architecture().layers();
    console.printf(
        "%s: %s, input %s, %,d parameters%n",
        input,
        model.architecture().name(),
        model.architecture().inputShape(),
        model.architecture().parameterCount());
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      console.printf("  %s → %s%n", layer, layer.outputShape(shapes.get(i)));
    }
    console.printf(
        "  inputs: %s%n",
        model
            .preprocessing()
            .map(p -> p.describe())
            .orElse("as they are (no --input-scale, --input-mean or --input-std given)"));
    String activation = model.metadata().get(OnnxImporter.OUTPUT_ACTIVATION);
    if (activation != null) {
      console.printf(
          "  (%s at the output: recorded, not run; the argmax is the same)%n", activation);
    }
    console.printf("wrote %s (%,d bytes)%n", out, Files.size(out));
    return 0;
  }
}
