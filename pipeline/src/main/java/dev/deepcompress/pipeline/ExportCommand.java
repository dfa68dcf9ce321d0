package dev.deepcompress.pipeline;

import dev.deepcompress.onnx.NpzWriter;
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
      "Write a model file as ONNX, or its tensors as a NumPy .npz, with the weights decoded to"
          + " dense float32, for ONNX Runtime, PyTorch, NumPy or Netron.",
      "The graph is the one the runtime runs: Conv, MaxPool/AveragePool (ceil_mode where Caffe's"
          + " rounding needs it), Relu, Flatten and Gemm; opset "
          + OnnxExporter.OPSET
          + ".",
    })
final class ExportCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "MODEL", description = "Model file to export.")
  Path input;

  @Option(names = "--onnx", paramLabel = "OUT.onnx", description = "ONNX file to write.")
  Path onnx;

  @Option(
      names = "--npz",
      paramLabel = "OUT.npz",
      description = "NumPy archive to write: every parameter as dense float32, by name.")
  Path npz;

  @Override
  public Integer call() throws Exception {
    common.apply();
    if (onnx == null && npz == null) {
      throw new UserInputException("say what to write: --onnx OUT.onnx and/or --npz OUT.npz");
    }
    for (Path out : new Path[] {onnx, npz}) {
      if (out != null) {
        OutputPaths.requireWritableTarget(out);
      }
    }
    Model model = ModelFile.read(input);
    System.out.printf(
        "%s: %s, %,d parameters as dense float32%n",
        input, model.architecture().name(), model.architecture().parameterCount());
    if (onnx != null) {
      OnnxExporter.write(model, onnx);
      System.out.printf("wrote %s (%,d bytes)%n", onnx, Files.size(onnx));
    }
    if (npz != null) {
      NpzWriter.write(model, npz);
      System.out.printf("wrote %s (%,d bytes)%n", npz, Files.size(npz));
    }
    return 0;
  }
}
