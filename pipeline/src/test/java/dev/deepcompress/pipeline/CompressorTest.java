package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompressorTest {

  /** {@code tensor} as the file stores it: its mask's positions, its codebook and its indices. */
  private static void assertStoredExactly(CompressedTensor tensor, Tensor stored) {
    SparseQuantizedTensor sparse = assertInstanceOf(SparseQuantizedTensor.class, stored);
    Codebook codebook = (Codebook) tensor.quantization().orElseThrow();
    assertArrayEquals(tensor.mask().keptPositions(), sparse.positions(), tensor.name());
    float[] centroids = codebook.centroids();
    float[] table = sparse.codebook();
    assertEquals(centroids.length, table.length, tensor.name());
    for (int k = 0; k < table.length; k++) {
      assertEquals(
          Float.floatToRawIntBits(centroids[k]),
          Float.floatToRawIntBits(table[k]),
          tensor.name() + " entry " + k);
    }
    int[] indices = codebook.indices();
    byte[] codes = sparse.codes();
    for (int j = 0; j < indices.length; j++) {
      assertEquals(indices[j], Byte.toUnsignedInt(codes[j]), tensor.name() + " index " + j);
    }
    assertEquals(codebook.bits(), sparse.indexBits(), tensor.name());
  }

  private static Compression.Result run(
      Network network, DatasetSplits data, CompressionPlan plan, ByteArrayOutputStream console) {
    return Compressor.run(
        network,
        data,
        SolverConfig.caffeLenet(),
        64,
        1,
        plan,
        false,
        Map.of(),
        new PrintStream(console, true, StandardCharsets.UTF_8),
        Checkpoints.NONE,
        RunSettings::new);
  }

  @Test
  void theThreeStagesHandTheirValuesToTheFile() throws Exception {
    Network network = Network.initialize(TestData.MLP, 1);
    DatasetSplits data =
        new DatasetSplits("quadrants", TestData.quadrants(1000, 7), TestData.quadrants(300, 99));
    Trainer reference = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 3; epoch++) {
      reference.trainEpoch(new Batches(data.train(), 64, 1), epoch, new Trainer.Listener() {});
    }
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    layers.put("ip1", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.1), 3));
    layers.put("ip2", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 2).withGapBits(3));
    CompressionPlan plan =
        new CompressionPlan(
            layers, new CompressionPlan.Retraining(2, 1, 1, 0.1, CompressionPlan.Distilling.OFF));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Compression.Result result = run(network, data, plan, console);

    assertEquals(List.of("ip1.weight", "ip2.weight"), List.copyOf(result.tensors().keySet()));
    Model read = ModelFile.fromBytes(ModelFile.toBytes(result.model()), "test");
    Map<String, Integer> kept = Map.of("ip1.weight", 256, "ip2.weight", 80);
    for (CompressedTensor tensor : result.tensors().values()) {
      String name = tensor.name();
      // The masks survive both retraining phases: exactly the planned count, each one stored.
      assertEquals(kept.get(name), tensor.mask().keptCount(), name);
      assertStoredExactly(tensor, read.tensor(name));
      assertEquals(
          1 << plan.layers().get(name.replace(".weight", "")).quantizer().bits(),
          ((Codebook) tensor.quantization().orElseThrow()).centroids().length,
          name);
      assertArrayEquals(tensor.dequantized(), network.parameter(name).values(), name);
    }
    assertInstanceOf(DenseTensor.class, read.tensor("ip1.bias"));
    assertEquals(3, ((SparseQuantizedTensor) read.tensor("ip2.weight")).gapBits());
    assertTrue(
        console.toString(StandardCharsets.UTF_8).contains("ip1.weight 10.0%"),
        console.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anUnknownLayerIsNamedWithTheKnownOnes() {
    Network network = Network.initialize(TestData.MLP, 1);
    DatasetSplits data =
        new DatasetSplits("quadrants", TestData.quadrants(64, 7), TestData.quadrants(8, 9));
    CompressionPlan plan =
        new CompressionPlan(
            Map.of("relu1", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 4)),
            CompressionPlan.Retraining.DEFAULT);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(network, data, plan, new ByteArrayOutputStream()));
    assertEquals(
        "no layer with weights named 'relu1' in mlp; layers with weights: ip1, ip2",
        e.getMessage());
  }

  /** LeNet-300-100's first two layers with ~6% of their weights kept, 16 centroids each. */
  private static Map<String, CompressedTensor> sparseQuantized(Network network) {
    SplittableRandom random = new SplittableRandom(5);
    Map<String, CompressedTensor> tensors = new LinkedHashMap<>();
    for (String name : new String[] {"ip1.weight", "ip2.weight"}) {
      ParameterSpec spec = network.parameter(name).spec();
      float[] marks = new float[spec.shape().elementCount()];
      for (int i = 0; i < marks.length; i++) {
        marks[i] = random.nextDouble() < 0.06 ? 1 : 0;
      }
      Mask mask = Mask.all(marks.length).narrowedTo(marks, 0.5);
      float[] centroids = new float[16];
      for (int k = 0; k < 16; k++) {
        centroids[k] = (k - 8) / 64f + 1 / 128f;
      }
      int[] indices = new int[mask.keptCount()];
      for (int j = 0; j < indices.length; j++) {
        indices[j] = random.nextInt(16);
      }
      tensors.put(
          name,
          CompressedTensor.pruned(spec, mask)
              .withQuantization(new Codebook(4, centroids, indices)));
    }
    return tensors;
  }

  @Test
  void compressedTensorsAreStoredAsTheirValuesTheRestStaysDense() {
    Network network = Network.initialize(ReferenceArchitectures.lenet300100(), 3);
    Map<String, CompressedTensor> tensors = sparseQuantized(network);
    Model model =
        Compressor.encode(network, tensors, Map.of("ip1.weight", 5, "ip2.weight", 5), Map.of());
    tensors.forEach((name, tensor) -> assertStoredExactly(tensor, model.tensor(name)));
    assertInstanceOf(DenseTensor.class, model.tensor("ip3.weight"), "not compressed");
    assertArrayEquals(
        network.parameter("ip3.weight").values(), model.tensor("ip3.weight").toDense());
    assertInstanceOf(DenseTensor.class, model.tensor("ip1.bias"));
    assertEquals(5, ((SparseQuantizedTensor) model.tensor("ip1.weight")).gapBits());
  }

  @Test
  void autoGapBitsPicksTheSmallestWidthForEachTensor() {
    Network network = Network.initialize(ReferenceArchitectures.lenet300100(), 3);
    Map<String, CompressedTensor> tensors = sparseQuantized(network);
    Map<String, Integer> auto =
        Map.of(
            "ip1.weight", LayerPlan.AUTO_GAP_BITS,
            "ip2.weight", LayerPlan.AUTO_GAP_BITS);
    Model model = Compressor.encode(network, tensors, auto, Map.of());
    for (CompressedTensor tensor : tensors.values()) {
      SparseQuantizedTensor chosen = (SparseQuantizedTensor) model.tensor(tensor.name());
      int chosenBytes = ModelFile.encodedBytes(tensor.spec(), chosen);
      int smallest = Integer.MAX_VALUE;
      for (int bits = 1; bits <= SparseQuantizedTensor.MAX_GAP_BITS; bits++) {
        smallest = Math.min(smallest, ModelFile.encodedBytes(tensor.spec(), tensor.toTensor(bits)));
      }
      assertEquals(smallest, chosenBytes, tensor.name());
      assertTrue(chosen.gapBits() > 1, "1-bit gaps would be all fillers: " + chosen.gapBits());
      assertStoredExactly(tensor, chosen);
    }
    assertArrayEquals(
        ModelFile.toBytes(model),
        ModelFile.toBytes(Compressor.encode(network, tensors, auto, Map.of())),
        "deterministic");
  }

  @Test
  void everyQuantizerAndAQuantizedBiasReachTheFileExactly() throws Exception {
    Network network = Network.initialize(TestData.MLP, 1);
    DatasetSplits data =
        new DatasetSplits("quadrants", TestData.quadrants(500, 7), TestData.quadrants(200, 99));
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    layers.put(
        "ip1",
        new LayerPlan(
            new ThresholdPolicy.KeptFraction(0.3),
            QuantizerSpec.parse("uniform:4,sym,per-channel"),
            LayerPlan.AUTO_GAP_BITS,
            LayerPlan.Bias.UNIFORM8));
    layers.put(
        "ip2",
        new LayerPlan(
            new ThresholdPolicy.KeptFraction(1),
            QuantizerSpec.parse("log:3,post"),
            LayerPlan.AUTO_GAP_BITS,
            LayerPlan.Bias.FP32));
    CompressionPlan plan =
        new CompressionPlan(
            layers, new CompressionPlan.Retraining(1, 1, 1, 0.1, CompressionPlan.Distilling.OFF));
    Compression.Result result = run(network, data, plan, new ByteArrayOutputStream());
    assertEquals(
        List.of("ip1.weight", "ip2.weight", "ip1.bias"), List.copyOf(result.tensors().keySet()));
    byte[] bytes = ModelFile.toBytes(result.model());
    Model read = ModelFile.fromBytes(bytes, "test");
    for (CompressedTensor tensor : result.tensors().values()) {
      QuantizedTensor stored = assertInstanceOf(QuantizedTensor.class, read.tensor(tensor.name()));
      Parametric quantization = (Parametric) tensor.quantization().orElseThrow();
      assertEquals(quantization.levels(), stored.levels(), tensor.name());
      assertArrayEquals(tensor.mask().keptPositions(), stored.positions(), tensor.name());
      int[] indices = quantization.indices();
      byte[] codes = stored.codes();
      for (int j = 0; j < indices.length; j++) {
        assertEquals(indices[j], Byte.toUnsignedInt(codes[j]), tensor.name() + " index " + j);
      }
      assertArrayEquals(
          network.parameter(tensor.name()).values(), read.parameter(tensor.name()), tensor.name());
    }
    assertTrue(((QuantizedTensor) read.tensor("ip2.weight")).isDense(), "nothing pruned");
    assertTrue(((QuantizedTensor) read.tensor("ip1.bias")).isDense());
    assertInstanceOf(DenseTensor.class, read.tensor("ip2.bias"));
    FileLayout layout = ModelFile.inspect(bytes, "test");
    assertTrue(layout.bytes(FileLayout.Component.QUANTIZED_BIASES) > 0);
    assertTrue(layout.bytes(FileLayout.Component.QUANTIZER_PARAMETERS) > 0);
    assertEquals(0, layout.bytes(FileLayout.Component.CODEBOOKS));
  }
}
