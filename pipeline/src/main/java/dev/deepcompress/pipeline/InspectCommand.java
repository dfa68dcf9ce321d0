package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show what a model file holds, tensor by tensor, and what each part costs.")
final class InspectCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "FILE", description = "Model file to inspect.")
  Path file;

  @Option(
      names = "--json",
      description =
          "Print the file's summary, the per-tensor table and the bytes by component as JSON"
              + " instead of tables.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    common.apply();
    PrintStream out = System.out;
    ModelFile.Contents contents = ModelFile.readContents(file);
    Model model = contents.model();
    FileLayout layout = contents.layout();
    long denseBytes = 4 * model.architecture().parameterCount();
    if (json) {
      out.print(Json.write(json(model, layout, denseBytes)));
      return 0;
    }
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
      boolean sparse = t.encoding() != TensorEncoding.DENSE_FP32;
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %,d | %.1f%% | %s | %s | %s | %s | %s | %,d |%n",
          t.name(),
          t.shape(),
          switch (t.encoding()) {
            case DENSE_FP32 -> "dense fp32";
            case SPARSE_QUANTIZED -> "sparse, codebook " + (1 << t.indexBits());
            case SPARSE_QUANTIZED_CONTEXT ->
                "sparse, codebook " + (1 << t.indexBits()) + ", neighbour-context indices";
            case QUANTIZED ->
                (t.gapBits() == 0 ? "quantized, all stored" : "quantized, sparse")
                    + (t.codebookBytes() > 0 ? ", table" : ", parametric");
          },
          sparse ? t.nonZeros() : t.shape().elementCount(),
          100.0 * t.nonZeros() / t.shape().elementCount(),
          sparse ? Integer.toString(t.indexBits()) : "-",
          sparse && t.gapBits() > 0 ? Integer.toString(t.gapBits()) : "-",
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

  /** The recorded preprocessing: layout, scale, and a mean and std per channel (or one for all). */
  private static Map<String, Object> json(Preprocessing preprocessing) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("layout", preprocessing.layout().name().toLowerCase(Locale.ROOT));
    m.put("scale", preprocessing.scale());
    m.put("mean", floats(preprocessing.mean()));
    m.put("std", floats(preprocessing.std()));
    return m;
  }

  private static List<Object> floats(float[] values) {
    List<Object> list = new ArrayList<>();
    for (float v : values) {
      list.add(v);
    }
    return list;
  }

  private Map<String, Object> json(Model model, FileLayout layout, long denseBytes) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("file", file.toString());
    root.put("model", model.architecture().name());
    root.put("input_shape", dims(model.architecture().inputShape()));
    root.put("input_preprocessing", model.preprocessing().map(InspectCommand::json).orElse(null));
    root.put("parameters", model.architecture().parameterCount());
    root.put("dense_bytes", denseBytes);
    root.put("file_bytes", layout.fileBytes());
    root.put("ratio", (double) denseBytes / layout.fileBytes());
    root.put("metadata", new TreeMap<>(model.metadata()));
    List<Object> tensors = new ArrayList<>();
    for (TensorLayout t : layout.tensors()) {
      boolean sparse = t.encoding() != TensorEncoding.DENSE_FP32;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("role", t.role().name().toLowerCase(Locale.ROOT));
      m.put("shape", dims(t.shape()));
      m.put("encoding", t.encoding().name().toLowerCase(Locale.ROOT));
      m.put("elements", t.shape().elementCount());
      m.put("stored", sparse ? t.nonZeros() : t.shape().elementCount());
      m.put("non_zeros", t.nonZeros());
      m.put("kept_pct", 100.0 * t.nonZeros() / t.shape().elementCount());
      m.put("codebook_entries", sparse ? 1 << t.indexBits() : null);
      m.put("index_bits", sparse ? t.indexBits() : null);
      m.put("gap_bits", sparse ? t.gapBits() : null);
      m.put("fillers", sparse ? t.fillers() : null);
      m.put("index_bits_per_weight_huffman", sparse ? t.huffmanIndexBitsPerNonZero() : null);
      m.put("position_bits_per_weight_huffman", sparse ? t.huffmanPositionBitsPerNonZero() : null);
      m.put("bytes", t.sectionBytes());
      tensors.add(m);
    }
    root.put("tensors", tensors);
    root.put("components", CompressionReport.componentsJson(layout));
    return root;
  }

  private static List<Integer> dims(Shape shape) {
    List<Integer> dims = new ArrayList<>();
    for (int d : shape.dims()) {
      dims.add(d);
    }
    return dims;
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
    for (InferenceNetwork.LayerDescription layer : InferenceNetwork.describe(model)) {
      String weightName = weightByLayer.get(layer.name());
      if (weightName == null) {
        continue;
      }
      TensorLayout weight = tensors.get(weightName);
      long stored =
          weight.encoding() != TensorEncoding.DENSE_FP32
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
