package dev.deepcompress.pipeline;

import dev.deepcompress.onnx.OnnxExporter;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write a model file as ONNX with its weights decoded to dense float32, for ONNX Runtime,"
          + " PyTorch or Netron.",
      "The graph is the one the runtime runs: Conv, MaxPool/AveragePool (ceil_mode where Caffe's"
          + " rounding needs it), Relu, Flatten and Gemm; opset "
          + OnnxExporter.OPSET
          + ".",
    })
final class ExportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "MODEL", description = "Model file to export.")
  Path input;

  @Option(names = "--onnx", required = true, paramLabel = "OUT.onnx", description = "ONNX file.")
  Path onnx;

  @Override
  public Integer call() throws Exception {
    common.apply();
    OutputPaths.requireWritableTarget(onnx);
    Model model = ModelFile.read(input);
    OnnxExporter.write(model, onnx);
    System.out.printf(
        "%s: %s, %,d parameters as dense float32; wrote %s (%,d bytes)%n",
        input,
        model.architecture().name(),
        model.architecture().parameterCount(),
        onnx,
        Files.size(onnx));
    return 0;
  }
}
