package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show what a model file holds, tensor by tensor, and what each part costs.")
final class InspectCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "FILE", description = "Model file to inspect.")
  Path file;

  @Override
  public Integer call() throws Exception {
    common.apply();
    PrintStream out = System.out;
    Model model = ModelFile.read(file);
    FileLayout layout = ModelFile.inspect(file);
    long denseBytes = 4 * model.architecture().parameterCount();
    out.printf(
        "%s: %s, input %s, %,d parameters; %,d bytes, %.1f× smaller than dense fp32 (%,d bytes)%n",
        file,
        model.architecture().name(),
        model.architecture().inputShape(),
        model.architecture().parameterCount(),
        layout.fileBytes(),
        (double) denseBytes / layout.fileBytes(),
        denseBytes);
    out.println(
        "  input preprocessing: "
            + model
                .preprocessing()
                .map(Preprocessing::describe)
                .orElse(
                    "none recorded (files before format 1.2 do not record it); a reader gives"
                        + " the network its inputs as they are"));
    for (Map.Entry<String, String> entry : new TreeMap<>(model.metadata()).entrySet()) {
      out.printf("  %s = %s%n", entry.getKey(), entry.getValue());
    }
    out.println();
    out.println(
        "| tensor | shape | encoding | stored | kept | index bits | gap bits | fillers | index"
            + " bits/weight (Huffman) | position bits/weight (Huffman) | bytes |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (TensorLayout t : layout.tensors()) {
      boolean sparse = t.encoding() == TensorEncoding.SPARSE_QUANTIZED;
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %,d | %.1f%% | %s | %s | %s | %s | %s | %,d |%n",
          t.name(),
          t.shape(),
          sparse ? "sparse, codebook " + (1 << t.indexBits()) : "dense fp32",
          sparse ? t.nonZeros() : t.shape().elementCount(),
          100.0 * t.nonZeros() / t.shape().elementCount(),
          sparse ? Integer.toString(t.indexBits()) : "-",
          sparse ? Integer.toString(t.gapBits()) : "-",
          sparse ? String.format("%,d", t.fillers()) : "-",
          sparse ? String.format(Locale.ROOT, "%.2f", t.huffmanIndexBitsPerNonZero()) : "-",
          sparse ? String.format(Locale.ROOT, "%.2f", t.huffmanPositionBitsPerNonZero()) : "-",
          t.sectionBytes());
    }
    printRuntime(out, model, layout);
    out.println();
    out.println("| component | bytes | share |");
    out.println("|---|---:|---:|");
    for (Map.Entry<FileLayout.Component, Long> entry : layout.components().entrySet()) {
      out.printf(
          Locale.ROOT,
          "| %s | %,d | %.1f%% |%n",
          CompressionReport.componentName(entry.getKey()),
          entry.getValue(),
          100.0 * entry.getValue() / layout.fileBytes());
    }
    return 0;
  }

  /** How the runtime holds and runs each weighted layer, beside what its weight costs on disk. */
  private static void printRuntime(PrintStream out, Model model, FileLayout layout) {
    Map<String, TensorLayout> tensors = new TreeMap<>();
    layout.tensors().forEach(t -> tensors.put(t.name(), t));
    Map<String, String> weightByLayer = model.architecture().weightNamesByLayer();
    out.println();
    out.println(
        "| layer | runs as | weights read | bytes in memory | bytes/weight in memory |"
            + " bytes/weight on disk |");
    out.println("|---|---|---:|---:|---:|---:|");
    for (InferenceNetwork.LayerDescription layer : InferenceNetwork.of(model).describeLayers()) {
      String weightName = weightByLayer.get(layer.name());
      if (weightName == null) {
        continue;
      }
      TensorLayout weight = tensors.get(weightName);
      long stored =
          weight.encoding() == TensorEncoding.SPARSE_QUANTIZED
              ? weight.nonZeros()
              : weight.shape().elementCount();
      out.printf(
          Locale.ROOT,
          "| %s | %s | %,d | %,d | %.2f | %.2f |%n",
          layer.name(),
          layer.form(),
          layer.storedWeights(),
          layer.weightBytes(),
          (double) layer.weightBytes() / Math.max(1, layer.storedWeights()),
          (double) weight.sectionBytes() / Math.max(1, stored));
    }
  }
}
