package dev.deepcompress.onnx;

import dev.deepcompress.runtime.format.AtomicFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a model as ONNX (opset {@value #OPSET}, IR version {@value #IR_VERSION}) with its
 * parameters decoded to dense float32, so that ONNX Runtime, PyTorch or Netron can run or show what
 * the runtime runs. Each layer becomes one node: {@code Conv}; {@code MaxPool} and {@code
 * AveragePool} with {@code ceil_mode} 1 where Caffe's rounding up differs from ONNX's default
 * rounding down (ONNX Runtime then clips the last window as the runtime does, and averages only the
 * elements inside it); {@code Relu}; and {@code Gemm} with {@code transB} 1, after a {@code
 * Flatten} where its input is not flat yet. The input has a symbolic batch dimension. A model
 * imported from ONNX keeps its input and output names, and gets back the trailing {@code Softmax}
 * or {@code LogSoftmax} the import recorded. The graph's input is the network's input, after the
 * model's input preprocessing; the model's metadata and that preprocessing go into {@code
 * metadata_props}.
 */
public final class OnnxExporter {
  public static final long OPSET = 13;

  /** The IR version released with opset 13 (ONNX 1.8). */
  public static final long IR_VERSION = 7;

  private static final String BATCH = "batch";

  /**
   * Key in {@code metadata_props} of the model's input preprocessing, as {@link
   * dev.deepcompress.runtime.model.Preprocessing#describe()} gives it.
   */
  public static final String PREPROCESSING = "deepcompress.preprocessing";

  private OnnxExporter() {}

  /** Writes the ONNX file atomically: on failure an existing file is left untouched. */
  public static void write(Model model, Path file) throws IOException {
    AtomicFile.write(file, toBytes(model));
  }

  /** The serialized ONNX {@code ModelProto}; the same model always gives the same bytes. */
  public static byte[] toBytes(Model model) {
    Architecture architecture = model.architecture();
    Map<String, String> metadata = model.metadata();
    // Layer and parameter names hold no '/', so these value names cannot collide with them.
    Set<String> taken = new HashSet<>(model.tensors().keySet());
    String input = unusedName(metadata.get(OnnxImporter.INPUT_NAME), "input", taken);
    String output = unusedName(metadata.get(OnnxImporter.OUTPUT_NAME), "output", taken);
    String activation = metadata.get(OnnxImporter.OUTPUT_ACTIVATION);
    boolean softmax = "Softmax".equals(activation) || "LogSoftmax".equals(activation);

    OnnxGraphBuilder graph = new OnnxGraphBuilder(architecture.name());
    graph.input(input, dims(architecture.inputShape()));
    graph.output(output, dims(architecture.outputShape()));
    List<LayerSpec> layers = architecture.layers();
    List<Shape> shapes = architecture.layerInputShapes();
    String value = input;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      String result = i == layers.size() - 1 && !softmax ? output : layer.name() + "/output";
      switch (layer) {
        case LayerSpec.Convolution conv -> {
          int k = conv.kernelSize();
          int p = conv.padding();
          graph.node(
              "Conv",
              conv.name(),
              List.of(value, conv.weightName(), conv.biasName()),
              List.of(result),
              OnnxGraphBuilder.integers("kernel_shape", k, k),
              OnnxGraphBuilder.integers("strides", conv.stride(), conv.stride()),
              OnnxGraphBuilder.integers("pads", p, p, p, p));
        }
        case LayerSpec.MaxPool pool ->
            pooling(
                graph,
                "MaxPool",
                pool.name(),
                pool.kernelSize(),
                pool.stride(),
                shapes.get(i),
                value,
                result);
        case LayerSpec.AveragePool pool ->
            pooling(
                graph,
                "AveragePool",
                pool.name(),
                pool.kernelSize(),
                pool.stride(),
                shapes.get(i),
                value,
                result);
        case LayerSpec.Relu relu ->
            graph.node("Relu", relu.name(), List.of(value), List.of(result));
        case LayerSpec.FullyConnected fc -> {
          if (shapes.get(i).rank() > 1) {
            String flat = fc.name() + "/flatten";
            graph.node(
                "Flatten",
                flat,
                List.of(value),
                List.of(flat),
                OnnxGraphBuilder.integer("axis", 1));
            value = flat;
          }
          graph.node(
              "Gemm",
              fc.name(),
              List.of(value, fc.weightName(), fc.biasName()),
              List.of(result),
              OnnxGraphBuilder.integer("transB", 1));
        }
      }
      value = result;
    }
    if (softmax) {
      graph.node(
          activation,
          "/" + activation,
          List.of(value),
          List.of(output),
          OnnxGraphBuilder.integer("axis", 1));
    }
    for (var spec : architecture.parameters()) {
      long[] dims = new long[spec.shape().rank()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = spec.shape().dim(d);
      }
      graph.initializer(spec.name(), model.parameter(spec.name()), dims);
    }
    Map<String, String> properties = new TreeMap<>(metadata);
    // The network's input is preprocessed; the graph starts after that, as the runtime does.
    model.preprocessing().ifPresent(p -> properties.put(PREPROCESSING, p.describe()));
    return graph.toModel(IR_VERSION, OPSET, "deepcompress", properties);
  }

  private static void pooling(
      OnnxGraphBuilder graph,
      String opType,
      String name,
      int kernel,
      int stride,
      Shape input,
      String value,
      String result) {
    // Caffe's sizes round up; where that differs from ONNX's default (floor), ask for ceil.
    boolean ceil = false;
    for (int axis = 1; axis <= 2; axis++) {
      ceil |=
          OnnxImporter.onnxPooledSize(input.dim(axis), kernel, stride, false)
              != OnnxImporter.onnxPooledSize(input.dim(axis), kernel, stride, true);
    }
    graph.node(
        opType,
        name,
        List.of(value),
        List.of(result),
        OnnxGraphBuilder.integers("kernel_shape", kernel, kernel),
        OnnxGraphBuilder.integers("strides", stride, stride),
        OnnxGraphBuilder.integer("ceil_mode", ceil ? 1 : 0));
  }

  private static String unusedName(String recorded, String fallback, Set<String> taken) {
    String name = recorded == null || recorded.isEmpty() ? fallback : recorded;
    while (taken.contains(name)) {
      name += "_";
    }
    taken.add(name);
    return name;
  }

  private static OnnxGraphBuilder.Dim[] dims(Shape shape) {
    List<OnnxGraphBuilder.Dim> dims = new ArrayList<>();
    dims.add(OnnxGraphBuilder.Dim.symbolic(BATCH));
    for (int d : shape.dims()) {
      dims.add(OnnxGraphBuilder.Dim.of(d));
    }
    return dims.toArray(OnnxGraphBuilder.Dim[]::new);
  }
}
