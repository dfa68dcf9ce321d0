package dev.deepcompress.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported models run by ONNX Runtime give what the runtime gives, and import back to the same
 * model: every layer kind, pooling windows clipped at the edge (ceil mode), dense and compressed
 * weights.
 */
class OnnxExportTest {
  @TempDir Path dir;

  /**
   * Convolutions with stride and padding; average and max pooling whose last windows are clipped
   * (13 rows pooled 2/2 give 7, ONNX's floor would give 6); a flatten into fully connected layers.
   */
  static final Architecture CONVOLUTIONAL =
      new Architecture(
          "conv-net",
          Shape.of(2, 13, 11),
          List.of(
              new LayerSpec.Convolution("conv1", 2, 3, 3, 1, 1),
              new LayerSpec.AveragePool("pool1", 2, 2),
              new LayerSpec.Relu("relu1"),
              new LayerSpec.Convolution("conv2", 3, 4, 2, 1, 0),
              new LayerSpec.MaxPool("pool2", 3, 2),
              new LayerSpec.Convolution("conv3", 4, 5, 3, 2, 2),
              new LayerSpec.FullyConnected("ip1", 5 * 3 * 2, 7),
              new LayerSpec.Relu("relu2"),
              new LayerSpec.FullyConnected("ip2", 7, 5)));

  static Model gaussian(Architecture architecture, long seed, Map<String, String> metadata) {
    Random random = new Random(seed);
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] values = new float[spec.shape().elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      parameters.put(spec.name(), values);
    }
    return new Model(architecture, parameters, metadata);
  }

  static float[] gaussianInputs(long seed, int count) {
    Random random = new Random(seed);
    float[] inputs = new float[count];
    for (int i = 0; i < count; i++) {
      inputs[i] = (float) random.nextGaussian();
    }
    return inputs;
  }

  private static void assertOnnxRuntimeAgrees(Model model, int batch, String what)
      throws Exception {
    InferenceNetwork network = InferenceNetwork.of(model);
    float[] inputs = gaussianInputs(batch, batch * network.inputSize());
    float[] onnx =
        OnnxRuntimeOracle.run(
            OnnxExporter.toBytes(model), inputs, batch, model.architecture().inputShape().dims());
    OnnxRuntimeOracle.assertAgree(network.forward(inputs, batch), onnx, batch, what);
  }

  @Test
  void onnxRuntimeRunsTheExportedConvolutionalNetworkAsTheRuntimeDoes() throws Exception {
    assertOnnxRuntimeAgrees(gaussian(CONVOLUTIONAL, 1, Map.of()), 9, "conv-net");
  }

  @Test
  void onnxRuntimeRunsTheExportedFullyConnectedNetworkAsTheRuntimeDoes() throws Exception {
    Architecture mlp =
        new Architecture(
            "mlp",
            Shape.of(20),
            List.of(
                new LayerSpec.FullyConnected("ip1", 20, 9),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("ip2", 9, 3)));
    assertOnnxRuntimeAgrees(gaussian(mlp, 2, Map.of()), 4, "mlp");
  }

  @Test
  void aCompressedModelIsExportedAsItsDecodedWeights() throws Exception {
    Model dense = gaussian(CONVOLUTIONAL, 3, Map.of());
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : CONVOLUTIONAL.parameters()) {
      float[] values = dense.parameter(spec.name());
      tensors.put(
          spec.name(),
          spec.role() == ParameterSpec.Role.WEIGHT
              ? SparseQuantizedTensor.fromDense(spec, prunedAndQuantized(values), 3, 4)
              : dense.tensor(spec.name()));
    }
    Model compressed =
        ModelFile.fromBytes(
            ModelFile.toBytes(Model.ofTensors(CONVOLUTIONAL, tensors, Map.of())), "compressed");
    assertOnnxRuntimeAgrees(compressed, 5, "compressed conv-net");
    Model exported =
        OnnxImporter.fromBytes(OnnxExporter.toBytes(compressed), "export", "x.onnx", "conv-net");
    for (String name : compressed.tensors().keySet()) {
      assertArrayEquals(compressed.parameter(name), exported.parameter(name), name);
    }
  }

  /** Values of magnitude below 1 become 0, the others one of 8 levels: a pruned, 3-bit tensor. */
  private static float[] prunedAndQuantized(float[] values) {
    float[] result = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      result[i] = Math.abs(v) < 1 ? 0 : Math.signum(v) * Math.min(4, Math.round(Math.abs(v)));
    }
    return result;
  }

  @Test
  void anExportedModelImportsBackToTheSameArchitectureAndBits() throws Exception {
    Model model = gaussian(CONVOLUTIONAL, 4, Map.of("dataset", "mnist"));
    Model back = OnnxImporter.fromBytes(OnnxExporter.toBytes(model), "export", "c.onnx", "back");
    assertEquals(CONVOLUTIONAL.layers(), back.architecture().layers());
    assertEquals(CONVOLUTIONAL.inputShape(), back.architecture().inputShape());
    for (String name : model.tensors().keySet()) {
      assertArrayEquals(model.parameter(name), back.parameter(name), name);
    }
    assertEquals("c.onnx", back.metadata().get(OnnxImporter.SOURCE));
    assertEquals("deepcompress", back.metadata().get(OnnxImporter.PRODUCER));
    assertEquals(Long.toString(OnnxExporter.OPSET), back.metadata().get(OnnxImporter.OPSET));
  }

  @Test
  void theSameModelGivesTheSameBytesAndTheFileIsWrittenWhole() throws Exception {
    Model model = gaussian(CONVOLUTIONAL, 5, Map.of("b", "2", "a", "1"));
    byte[] bytes = OnnxExporter.toBytes(model);
    assertArrayEquals(
        bytes, OnnxExporter.toBytes(gaussian(CONVOLUTIONAL, 5, Map.of("a", "1", "b", "2"))));
    Path file = dir.resolve("model.onnx");
    OnnxExporter.write(model, file);
    assertArrayEquals(bytes, Files.readAllBytes(file));
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
    }
  }

  @Test
  void theInputPreprocessingIsNamedInTheMetadata() {
    Preprocessing preprocessing =
        Preprocessing.of(
            Preprocessing.Layout.CHANNELS_FIRST,
            1f / 255,
            new float[] {0.5f, 0.25f},
            new float[] {2f, 4f});
    Model model = gaussian(CONVOLUTIONAL, 9, Map.of()).withPreprocessing(preprocessing);
    String bytes = new String(OnnxExporter.toBytes(model), StandardCharsets.UTF_8);
    assertTrue(bytes.contains(OnnxExporter.PREPROCESSING), "key");
    assertTrue(bytes.contains(preprocessing.describe()), preprocessing.describe());
  }

  @Test
  void aRecordedSoftmaxIsPutBackAtTheEndWithTheOriginalNames() throws Exception {
    Architecture mlp =
        new Architecture("mlp", Shape.of(6), List.of(new LayerSpec.FullyConnected("fc", 6, 4)));
    Model model =
        gaussian(
            mlp,
            6,
            Map.of(
                OnnxImporter.OUTPUT_ACTIVATION, "Softmax",
                OnnxImporter.INPUT_NAME, "pixels",
                OnnxImporter.OUTPUT_NAME, "probabilities"));
    byte[] bytes = OnnxExporter.toBytes(model);
    float[] inputs = gaussianInputs(7, 3 * 6);
    float[] logits = InferenceNetwork.of(model).forward(inputs, 3);
    float[] probabilities = new float[logits.length];
    for (int row = 0; row < 3; row++) {
      double sum = 0;
      for (int j = 0; j < 4; j++) {
        sum += Math.exp(logits[row * 4 + j]);
      }
      for (int j = 0; j < 4; j++) {
        probabilities[row * 4 + j] = (float) (Math.exp(logits[row * 4 + j]) / sum);
      }
    }
    OnnxRuntimeOracle.assertAgree(
        probabilities, OnnxRuntimeOracle.run(bytes, inputs, 3, 6), 3, "softmax");
    Model back = OnnxImporter.fromBytes(bytes, "export", "m.onnx", "mlp");
    assertEquals("Softmax", back.metadata().get(OnnxImporter.OUTPUT_ACTIVATION));
    assertEquals("pixels", back.metadata().get(OnnxImporter.INPUT_NAME));
    assertEquals("probabilities", back.metadata().get(OnnxImporter.OUTPUT_NAME));
    assertFalse(back.metadata().containsKey("b"));
    assertTrue(bytes.length > 4 * mlp.parameterCount());
  }
}
