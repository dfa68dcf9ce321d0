package dev.deepcompress.runtime.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.RandomModels;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InferenceNetworkTest {

  /** Straightforward per-sample loops in double precision, independent of Gemm and im2col. */
  private static double[] naiveForward(Model model, float[] inputs, int batchSize) {
    Architecture architecture = model.architecture();
    Shape shape = architecture.inputShape();
    double[] x = new double[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      x[i] = inputs[i];
    }
    for (LayerSpec layer : architecture.layers()) {
      Shape next = layer.outputShape(shape);
      int width = shape.elementCount();
      double[] y = new double[batchSize * next.elementCount()];
      switch (layer) {
        case LayerSpec.FullyConnected fc -> {
          float[] w = model.parameter(fc.weightName());
          float[] b = model.parameter(fc.biasName());
          for (int n = 0; n < batchSize; n++) {
            for (int o = 0; o < fc.outputs(); o++) {
              double sum = b[o];
              for (int i = 0; i < fc.inputs(); i++) {
                sum += (double) w[o * fc.inputs() + i] * x[n * width + i];
              }
              y[n * fc.outputs() + o] = sum;
            }
          }
        }
        case LayerSpec.Convolution conv -> {
          float[] w = model.parameter(conv.weightName());
          float[] b = model.parameter(conv.biasName());
          int channels = shape.dim(0);
          int height = shape.dim(1);
          int cols = shape.dim(2);
          int k = conv.kernelSize();
          int index = 0;
          for (int n = 0; n < batchSize; n++) {
            for (int o = 0; o < next.dim(0); o++) {
              for (int oy = 0; oy < next.dim(1); oy++) {
                for (int ox = 0; ox < next.dim(2); ox++) {
                  double sum = b[o];
                  for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < k; i++) {
                      for (int j = 0; j < k; j++) {
                        int iy = oy * conv.stride() - conv.padding() + i;
                        int ix = ox * conv.stride() - conv.padding() + j;
                        if (iy >= 0 && iy < height && ix >= 0 && ix < cols) {
                          sum +=
                              w[((o * channels + c) * k + i) * k + j]
                                  * x[n * width + (c * height + iy) * cols + ix];
                        }
                      }
                    }
                  }
                  y[index++] = sum;
                }
              }
            }
          }
        }
        case LayerSpec.MaxPool pool -> {
          int height = shape.dim(1);
          int cols = shape.dim(2);
          int index = 0;
          for (int plane = 0; plane < batchSize * shape.dim(0); plane++) {
            for (int oy = 0; oy < next.dim(1); oy++) {
              for (int ox = 0; ox < next.dim(2); ox++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int iy = oy * pool.stride();
                    iy < oy * pool.stride() + pool.kernelSize();
                    iy++) {
                  for (int ix = ox * pool.stride();
                      ix < ox * pool.stride() + pool.kernelSize();
                      ix++) {
                    if (iy < height && ix < cols) {
                      max = Math.max(max, x[(plane * height + iy) * cols + ix]);
                    }
                  }
                }
                y[index++] = max;
              }
            }
          }
        }
        case LayerSpec.AveragePool pool -> {
          int height = shape.dim(1);
          int cols = shape.dim(2);
          int index = 0;
          for (int plane = 0; plane < batchSize * shape.dim(0); plane++) {
            for (int oy = 0; oy < next.dim(1); oy++) {
              for (int ox = 0; ox < next.dim(2); ox++) {
                double sum = 0;
                int count = 0;
                for (int iy = oy * pool.stride();
                    iy < oy * pool.stride() + pool.kernelSize();
                    iy++) {
                  for (int ix = ox * pool.stride();
                      ix < ox * pool.stride() + pool.kernelSize();
                      ix++) {
                    if (iy < height && ix < cols) {
                      sum += x[(plane * height + iy) * cols + ix];
                      count++;
                    }
                  }
                }
                y[index++] = sum / count;
              }
            }
          }
        }
        case LayerSpec.Relu relu -> {
          for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0;
          }
        }
      }
      x = y;
      shape = next;
    }
    return x;
  }

  private static float[] randomInputs(Random random, int count) {
    float[] inputs = new float[count];
    for (int i = 0; i < count; i++) {
      inputs[i] = (float) random.nextGaussian();
    }
    return inputs;
  }

  @Test
  void aHandComputedNetwork() {
    Architecture architecture =
        new Architecture(
            "hand",
            Shape.of(2),
            List.of(
                new LayerSpec.FullyConnected("fc1", 2, 3),
                new LayerSpec.Relu("relu"),
                new LayerSpec.FullyConnected("fc2", 3, 2)));
    Model model =
        new Model(
            architecture,
            Map.of(
                "fc1.weight", new float[] {1, 2, -1, 0, 3, -3},
                "fc1.bias", new float[] {0, 1, 0.5f},
                "fc2.weight", new float[] {1, 1, 1, -1, 0, 2},
                "fc2.bias", new float[] {0, 10}),
            Map.of());
    InferenceNetwork network = InferenceNetwork.of(model);
    // x=(1,2): fc1 → (5, 0, -2.5) → relu (5, 0, 0) → fc2 → (5, 5).
    // x=(2,-1): fc1 → (0, -1, 9.5) → relu (0, 0, 9.5) → fc2 → (9.5, 29).
    float[] inputs = {1, 2, 2, -1};
    assertArrayEquals(new float[] {5, 5, 9.5f, 29}, network.forward(inputs, 2));
    assertArrayEquals(new int[] {0, 1}, network.predict(inputs, 2));
    assertArrayEquals(new float[] {1, 2, 2, -1}, inputs, "input must not be modified");
    assertEquals(2, network.inputSize());
    assertEquals(2, network.outputSize());
  }

  @Test
  void randomNetworksAgreeWithANaiveForwardPass() {
    int comparedPredictions = 0;
    for (int seed = 0; seed < 100; seed++) {
      Random random = new Random(seed);
      Model model = RandomModels.gaussianModel(RandomModels.architecture(random), random);
      InferenceNetwork network = InferenceNetwork.of(model);
      int batch = 1 + random.nextInt(9);
      float[] inputs = randomInputs(random, batch * network.inputSize());
      float[] inputsCopy = inputs.clone();

      float[] outputs = network.forward(inputs, batch);
      double[] expected = naiveForward(model, inputs, batch);
      assertEquals(expected.length, outputs.length);
      assertArrayEquals(inputsCopy, inputs, "input must not be modified");
      int[] predictions = network.predict(inputs, batch);
      int width = network.outputSize();
      for (int row = 0; row < batch; row++) {
        double scale = 0;
        for (int j = 0; j < width; j++) {
          scale = Math.max(scale, Math.abs(expected[row * width + j]));
        }
        for (int j = 0; j < width; j++) {
          double error = Math.abs(outputs[row * width + j] - expected[row * width + j]);
          assertTrue(
              error <= 1e-5 * Math.max(scale, 1e-3),
              "seed " + seed + " row " + row + " output " + j + ": error " + error);
        }
        int best = 0;
        int runnerUp = -1;
        for (int j = 1; j < width; j++) {
          if (expected[row * width + j] > expected[row * width + best]) {
            runnerUp = best;
            best = j;
          } else if (runnerUp < 0 || expected[row * width + j] > expected[row * width + runnerUp]) {
            runnerUp = j;
          }
        }
        // Only a clear winner must agree: float rounding may break a near-tie either way.
        if (runnerUp < 0
            || expected[row * width + best] - expected[row * width + runnerUp] > 1e-4 * scale) {
          assertEquals(best, predictions[row], "seed " + seed + " row " + row);
          comparedPredictions++;
        }
      }
    }
    assertTrue(comparedPredictions > 300, "compared only " + comparedPredictions);
  }

  @Test
  void randomConvolutionalNetworksAgreeWithANaiveForwardPass() {
    for (int seed = 0; seed < 60; seed++) {
      Random random = new Random(seed);
      Model model = RandomModels.gaussianModel(RandomModels.convolutional(random), random);
      InferenceNetwork network = InferenceNetwork.of(model);
      int batch = 1 + random.nextInt(5);
      float[] inputs = randomInputs(random, batch * network.inputSize());
      float[] outputs = network.forward(inputs, batch);
      assertClose(naiveForward(model, inputs, batch), outputs, "seed " + seed);
    }
  }

  /**
   * 4 images whose columns take 400 × 10,000 floats each: im2col in chunks of 1 (the 2²² budget
   * holds one such image), which must not change the result.
   */
  @Test
  void aBatchLargerThanOneChunkIsSplitWithoutChangingTheResult() {
    Architecture architecture =
        new Architecture(
            "big-image",
            Shape.of(16, 104, 104),
            List.of(
                new LayerSpec.Convolution("conv", 16, 2, 5, 1, 0),
                new LayerSpec.MaxPool("pool", 3, 3),
                new LayerSpec.FullyConnected("ip", 2 * 34 * 34, 3)));
    Random random = new Random(3);
    Model model = RandomModels.gaussianModel(architecture, random);
    InferenceNetwork network = InferenceNetwork.of(model);
    float[] inputs = randomInputs(random, 4 * network.inputSize());
    assertClose(naiveForward(model, inputs, 4), network.forward(inputs, 4), "chunked");
  }

  /** Relative to the largest expected output of the batch: the sums cancel a lot. */
  private static void assertClose(double[] expected, float[] actual, String where) {
    assertEquals(expected.length, actual.length, where);
    double scale = 1e-3;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * scale, where + " [" + i + "]");
    }
  }

  @Test
  void aModelReadBackFromItsFileGivesIdenticalOutputs() throws IOException {
    Random random = new Random(11);
    Model model = RandomModels.gaussianModel(RandomModels.architecture(random), random);
    Model decoded = ModelFile.fromBytes(ModelFile.toBytes(model), "round trip");
    InferenceNetwork original = InferenceNetwork.of(model);
    float[] inputs = randomInputs(random, 5 * original.inputSize());
    assertArrayEquals(original.forward(inputs, 5), InferenceNetwork.of(decoded).forward(inputs, 5));
  }

  @Test
  void anEmptyBatchGivesNoRows() {
    InferenceNetwork network = InferenceNetwork.of(RandomModels.model(new Random(12)));
    assertEquals(0, network.forward(new float[0], 0).length);
    assertEquals(0, network.predict(new float[0], 0).length);
  }

  @Test
  void inputsOfTheWrongSizeAreRejected() {
    InferenceNetwork network = InferenceNetwork.of(RandomModels.model(new Random(13)));
    int size = network.inputSize();
    assertThrows(IllegalArgumentException.class, () -> network.forward(new float[2 * size + 1], 2));
    assertThrows(IllegalArgumentException.class, () -> network.forward(new float[size], -1));
  }

  @Test
  void aBatchWhoseActivationsWouldNotFitInAnArrayIsRejected() {
    Architecture wide =
        new Architecture("wide", Shape.of(1), List.of(new LayerSpec.FullyConnected("fc", 1, 1000)));
    InferenceNetwork network =
        InferenceNetwork.of(RandomModels.gaussianModel(wide, new Random(14)));
    int batch = 3_000_000; // 3e6 inputs fit, 3e9 activations do not
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> network.forward(new float[batch], batch));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }
}
