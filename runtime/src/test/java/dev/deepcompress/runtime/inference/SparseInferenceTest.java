package dev.deepcompress.runtime.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.RandomModels;
import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** Layers run on sparse-quantized weights agree with their dense decoding. */
class SparseInferenceTest {

  private static float[] randomInputs(SplittableRandom random, int count) {
    float[] inputs = new float[count];
    for (int i = 0; i < count; i++) {
      inputs[i] = (float) random.nextGaussian();
    }
    return inputs;
  }

  @Test
  void aHandComputedSparseLayer() {
    // W = [[0, 0.5, 0], [-2, 0, 0.5]] with codebook {-2, 0.5}; b = [1, -1].
    Architecture architecture =
        new Architecture("hand", Shape.of(3), List.of(new LayerSpec.FullyConnected("fc", 3, 2)));
    Model model =
        Model.ofTensors(
            architecture,
            Map.of(
                "fc.weight",
                new SparseQuantizedTensor(
                    Shape.of(2, 3),
                    new float[] {-2, 0.5f},
                    new int[] {1, 3, 5},
                    new byte[] {1, 0, 1},
                    1,
                    2),
                "fc.bias",
                new DenseTensor(Shape.of(2), new float[] {1, -1})),
            Map.of());
    float[] out = InferenceNetwork.of(model).forward(new float[] {4, 2, 8, 1, -1, 0}, 2);
    // Row 1: 1 + 0.5·2 = 2; -1 - 2·4 + 0.5·8 = -5. Row 2: 1 + 0.5·(-1) = 0.5; -1 - 2·1 = -3.
    assertArrayEquals(new float[] {2, -5, 0.5f, -3}, out);
  }

  @Test
  void randomSparseModelsAgreeWithTheirDenseDecoding() throws IOException {
    int compared = 0;
    for (int seed = 0; seed < 150; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Architecture architecture = RandomModels.architecture(new Random(seed));
      Model sparse = RandomSparse.model(architecture, random);
      InferenceNetwork compressed = InferenceNetwork.of(sparse);
      InferenceNetwork dense = InferenceNetwork.of(RandomSparse.decoded(sparse));
      int batch = 1 + random.nextInt(7);
      float[] inputs = randomInputs(random, batch * compressed.inputSize());
      float[] got = compressed.forward(inputs, batch);
      float[] want = dense.forward(inputs, batch);
      assertEquals(want.length, got.length);
      for (int i = 0; i < want.length; i++) {
        assertEquals(
            want[i],
            got[i],
            1e-5f * Math.max(1f, Math.abs(want[i])),
            "seed " + seed + " [" + i + "]");
      }
      int outputs = compressed.outputSize();
      int[] predicted = compressed.predict(inputs, batch);
      int[] expected = dense.predict(inputs, batch);
      for (int row = 0; row < batch; row++) {
        // Only where the decision is not a near tie that rounding may flip.
        float best = want[row * outputs + expected[row]];
        boolean clear = true;
        for (int j = 0; j < outputs; j++) {
          clear &= j == expected[row] || best - want[row * outputs + j] > 1e-4f;
        }
        if (clear) {
          assertEquals(expected[row], predicted[row], "seed " + seed + " row " + row);
          compared++;
        }
      }
      // The file holds the same compressed model: the same kernel gives the same bits.
      Model read = ModelFile.fromBytes(ModelFile.toBytes(sparse), "seed " + seed);
      assertArrayEquals(got, InferenceNetwork.of(read).forward(inputs, batch));
    }
    assertTrue(compared > 300, compared + " predictions compared");
  }

  /**
   * Sparse convolution weights run compressed or are decoded once, by density; either way the
   * outputs are those of the decoded model.
   */
  @Test
  void sparseConvolutionWeightsGiveTheSameOutputsAsTheirDecoding() throws IOException {
    for (int seed = 0; seed < 30; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Model sparse = RandomSparse.model(RandomModels.convolutional(new Random(seed)), random);
      int batch = 1 + random.nextInt(4);
      InferenceNetwork compressed = InferenceNetwork.of(sparse);
      float[] inputs = randomInputs(random, batch * compressed.inputSize());
      float[] want = InferenceNetwork.of(RandomSparse.decoded(sparse)).forward(inputs, batch);
      float[] got = compressed.forward(inputs, batch);
      for (int i = 0; i < want.length; i++) {
        assertEquals(
            want[i],
            got[i],
            1e-5f * Math.max(1f, Math.abs(want[i])),
            "seed " + seed + " [" + i + "]");
      }
      Model read = ModelFile.fromBytes(ModelFile.toBytes(sparse), "seed " + seed);
      assertArrayEquals(got, InferenceNetwork.of(read).forward(inputs, batch));
    }
  }

  /** LeNet-5 (Caffe variant) with the paper's densities and index widths. */
  private static Model lenet5(SplittableRandom random) {
    Architecture architecture =
        new Architecture(
            "lenet5",
            Shape.of(1, 28, 28),
            List.of(
                new LayerSpec.Convolution("conv1", 1, 20, 5, 1, 0),
                new LayerSpec.MaxPool("pool1", 2, 2),
                new LayerSpec.Convolution("conv2", 20, 50, 5, 1, 0),
                new LayerSpec.MaxPool("pool2", 2, 2),
                new LayerSpec.FullyConnected("ip1", 800, 500),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("ip2", 500, 10)));
    Map<String, Double> density = Map.of("conv1", 0.66, "conv2", 0.12, "ip1", 0.08, "ip2", 0.19);
    return withSparseWeights(
        architecture, random, density::get, layer -> layer.startsWith("conv") ? 8 : 5);
  }

  /**
   * The architecture with each layer's weight sparse-quantized at the density and index bits given
   * for that layer's name (5 gap bits), and Gaussian biases.
   */
  private static Model withSparseWeights(
      Architecture architecture,
      SplittableRandom random,
      ToDoubleFunction<String> density,
      ToIntFunction<String> indexBits) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      String layer = spec.name().substring(0, spec.name().indexOf('.'));
      tensors.put(
          spec.name(),
          spec.role() == ParameterSpec.Role.WEIGHT
              ? RandomSparse.tensor(
                  random,
                  spec.shape(),
                  density.applyAsDouble(layer),
                  indexBits.applyAsInt(layer),
                  5)
              : new DenseTensor(spec.shape(), randomInputs(random, spec.shape().elementCount())));
    }
    return Model.ofTensors(architecture, tensors, Map.of());
  }

  @Test
  void aCompressedLenet5PredictsLikeItsDenseDecoding() {
    SplittableRandom random = new SplittableRandom(11);
    Model sparse = lenet5(random);
    InferenceNetwork compressed = InferenceNetwork.of(sparse);
    InferenceNetwork dense = InferenceNetwork.of(RandomSparse.decoded(sparse));
    int batch = 24;
    float[] inputs = randomInputs(random, batch * compressed.inputSize());
    float[] want = dense.forward(inputs, batch);
    float[] got = compressed.forward(inputs, batch);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4f * Math.max(1f, Math.abs(want[i])), "[" + i + "]");
    }
    assertArrayEquals(dense.predict(inputs, batch), compressed.predict(inputs, batch));
    // One image at a time takes the batch-1 row kernels: LeNet-5's columns are too short for
    // skipping zeros to pay.
    for (int image = 0; image < 4; image++) {
      float[] one = Arrays.copyOfRange(inputs, image * 784, (image + 1) * 784);
      float[] single = compressed.forward(one, 1);
      for (int j = 0; j < 10; j++) {
        assertEquals(
            want[image * 10 + j], single[j], 1e-4f * Math.max(1f, Math.abs(want[image * 10 + j])));
      }
    }
  }

  /** A wide layer after a ReLU, with columns long enough that batch 1 skips the zero inputs. */
  @Test
  void aLayerWithLongColumnsSkipsTheZerosAReluLeavesAtBatch1() {
    SplittableRandom random = new SplittableRandom(13);
    Architecture architecture =
        new Architecture(
            "wide",
            Shape.of(64),
            List.of(
                new LayerSpec.FullyConnected("ip1", 64, 256),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("ip2", 256, 2048)));
    Model sparse = withSparseWeights(architecture, random, layer -> 0.3, layer -> 5);
    InferenceNetwork compressed = InferenceNetwork.of(sparse);
    InferenceNetwork dense = InferenceNetwork.of(RandomSparse.decoded(sparse));
    // ip2 holds its column-wise copy besides the 3 bytes per weight of the row-wise form.
    InferenceNetwork.LayerDescription ip2 = compressed.describeLayers().get(2);
    assertEquals(InferenceNetwork.COMPRESSED_SKIPPING_ZEROS, ip2.form());
    assertTrue(ip2.weightBytes() > 5 * ip2.storedWeights(), ip2.toString());
    for (int image = 0; image < 4; image++) {
      float[] input = randomInputs(random, 64);
      float[] want = dense.forward(input, 1);
      float[] got = compressed.forward(input, 1);
      for (int j = 0; j < want.length; j++) {
        assertEquals(want[j], got[j], 1e-4f * Math.max(1f, Math.abs(want[j])), "[" + j + "]");
      }
    }
  }

  @Test
  void describesTheFormEachLayerRunsIn() {
    Model sparse = lenet5(new SplittableRandom(12));
    List<InferenceNetwork.LayerDescription> layers = InferenceNetwork.of(sparse).describeLayers();
    assertEquals(
        List.of("conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2"),
        layers.stream().map(InferenceNetwork.LayerDescription::name).toList());
    assertEquals(
        List.of(
            InferenceNetwork.DECODED_GEMM,
            InferenceNetwork.NO_WEIGHTS,
            InferenceNetwork.COMPRESSED,
            InferenceNetwork.NO_WEIGHTS,
            InferenceNetwork.COMPRESSED,
            InferenceNetwork.NO_WEIGHTS,
            InferenceNetwork.COMPRESSED),
        layers.stream().map(InferenceNetwork.LayerDescription::form).toList());
    assertEquals(
        new InferenceNetwork.LayerDescription("conv1", InferenceNetwork.DECODED_GEMM, 2000, 500),
        layers.get(0));
    SparseQuantizedTensor ip1 = (SparseQuantizedTensor) sparse.tensor("ip1.weight");
    int nonZeros = ip1.nonZeroCount();
    // Row pointers, 2-byte columns, 1-byte codes, the codebook: 40 elements per column are too
    // few for a column-wise copy.
    long bytes = 4L * 501 + 3L * nonZeros + 4L * ip1.codebook().length;
    assertEquals(
        new InferenceNetwork.LayerDescription("ip1", InferenceNetwork.COMPRESSED, bytes, nonZeros),
        layers.get(4));
    // A dense weight stays dense.
    Model denseIp2 = Model.ofTensors(sparse.architecture(), withDenseIp2(sparse), Map.of());
    InferenceNetwork.LayerDescription ip2 = InferenceNetwork.of(denseIp2).describeLayers().get(6);
    assertEquals(
        new InferenceNetwork.LayerDescription("ip2", InferenceNetwork.DENSE_GEMM, 20_000, 5000),
        ip2);
  }

  private static Map<String, Tensor> withDenseIp2(Model model) {
    Map<String, Tensor> tensors = new LinkedHashMap<>(model.tensors());
    tensors.put("ip2.weight", new DenseTensor(Shape.of(10, 500), model.parameter("ip2.weight")));
    return tensors;
  }

  @Test
  void aHugeSparseLayerRunsWithoutBeingInflated() {
    // 46340² ≈ 2^31 weights: a dense copy would need 8 GB, far above the test heap.
    int side = 46340;
    Architecture big =
        new Architecture(
            "big", Shape.of(side), List.of(new LayerSpec.FullyConnected("fc", side, side)));
    float[] bias = new float[side];
    bias[side - 1] = 0.5f;
    int last = side * side - 1;
    Model model =
        Model.ofTensors(
            big,
            Map.of(
                "fc.weight",
                new SparseQuantizedTensor(
                    Shape.of(side, side),
                    new float[] {3, -1},
                    new int[] {1, side, last},
                    new byte[] {0, 1, 1},
                    1,
                    5),
                "fc.bias",
                new DenseTensor(Shape.of(side), bias)),
            Map.of());
    float[] x = new float[side];
    x[0] = 2;
    x[1] = 5;
    x[side - 1] = 7;
    float[] y = InferenceNetwork.of(model).forward(x, 1);
    assertEquals(15f, y[0]); // 3·x[1]
    assertEquals(-2f, y[1]); // -1·x[0]
    assertEquals(-6.5f, y[side - 1]); // 0.5 - 1·x[side-1]
    assertEquals(0f, y[2]);
  }
}
