package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvolutionalNetworkTest {

  @Test
  void lenet5IsCaffesLenet() {
    Architecture lenet = ReferenceArchitectures.byName("lenet-5");
    assertEquals(ReferenceArchitectures.lenet5(), lenet);
    assertEquals(431_080, lenet.parameterCount());
    assertEquals(
        List.of("conv1", "pool1", "conv2", "pool2", "ip1", "relu1", "ip2"),
        lenet.layers().stream().map(LayerSpec::name).toList());
    assertEquals(
        List.of(
            Shape.of(1, 28, 28),
            Shape.of(20, 24, 24),
            Shape.of(20, 12, 12),
            Shape.of(50, 8, 8),
            Shape.of(50, 4, 4),
            Shape.of(500),
            Shape.of(500)),
        lenet.layerInputShapes());
    assertEquals(Shape.of(10), lenet.outputShape());
    assertEquals(
        List.of("conv1", "conv2", "ip1", "ip2"), List.copyOf(lenet.weightNamesByLayer().keySet()));
    assertTrue(ReferenceArchitectures.names().contains("lenet-5"));
  }

  /** Caffe's xavier fan-in of a convolution is input channels × k × k. */
  @Test
  void convolutionWeightsAreDrawnWithTheirFanIn() {
    Network network = Network.initialize(ReferenceArchitectures.lenet5(), 1);
    for (String name : List.of("conv1.weight", "conv2.weight")) {
      Parameter weight = network.parameter(name);
      Shape shape = weight.spec().shape();
      double bound = Math.sqrt(3.0 / (shape.dim(1) * shape.dim(2) * shape.dim(3)));
      double largest = 0;
      for (float w : weight.values()) {
        largest = Math.max(largest, Math.abs(w));
      }
      assertTrue(largest <= bound && largest > 0.95 * bound, name + ": " + largest + " " + bound);
    }
  }

  @Test
  void theRuntimeComputesWhatTheTrainingNetworkComputes() {
    Architecture strided =
        new Architecture(
            "strided",
            Shape.of(2, 13, 10),
            List.of(
                new LayerSpec.Convolution("conv1", 2, 5, 3, 2, 1),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.MaxPool("pool1", 3, 2),
                new LayerSpec.Convolution("conv2", 5, 3, 2, 1, 1),
                new LayerSpec.MaxPool("pool2", 2, 2),
                new LayerSpec.FullyConnected("ip1", 3 * 2 * 2, 7)));
    for (Architecture architecture :
        List.of(TestData.CNN, strided, ReferenceArchitectures.lenet5())) {
      Network network = Network.initialize(architecture, 3);
      SplittableRandom random = new SplittableRandom(4);
      for (Parameter p : network.parameters()) {
        if (p.spec().role() == ParameterSpec.Role.BIAS) {
          for (int i = 0; i < p.values().length; i++) {
            p.values()[i] = (float) random.nextGaussian() * 0.1f;
          }
        }
      }
      InferenceNetwork runtime = InferenceNetwork.of(network.toModel(Map.of()));
      int batch = 5;
      float[] x = new float[batch * runtime.inputSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble();
      }
      float[] want = network.forward(x, batch);
      float[] got = runtime.forward(x, batch);
      assertEquals(batch * network.outputCount(), got.length);
      for (int i = 0; i < got.length; i++) {
        assertEquals(
            want[i],
            got[i],
            1e-5 * Math.max(1e-3, Math.abs(want[i])),
            architecture.name() + " [" + i + "]");
      }
    }
  }

  /**
   * Forward output, every parameter gradient and the input gradient are bit-identical with one and
   * two kernel threads (the im2col, col2im, pooling and bias kernels split their work over
   * threads).
   */
  @Test
  void gradientsDoNotDependOnTheThreadCount() {
    Architecture strided =
        new Architecture(
            "strided",
            Shape.of(2, 13, 10),
            List.of(
                new LayerSpec.Convolution("conv1", 2, 5, 3, 2, 1),
                new LayerSpec.MaxPool("pool1", 3, 2),
                new LayerSpec.Convolution("conv2", 5, 3, 2, 1, 1),
                new LayerSpec.MaxPool("pool2", 2, 2),
                new LayerSpec.FullyConnected("ip1", 3 * 2 * 2, 7)));
    int saved = KernelThreads.threads();
    try {
      for (Architecture architecture : List.of(strided, ReferenceArchitectures.lenet5())) {
        List<float[]> one = forwardAndBackward(architecture, 1);
        List<float[]> two = forwardAndBackward(architecture, 2);
        assertEquals(one.size(), two.size());
        for (int i = 0; i < one.size(); i++) {
          assertArrayEquals(one.get(i), two.get(i), architecture.name() + " result " + i);
        }
      }
    } finally {
      KernelThreads.setThreads(saved);
    }
  }

  /** The output, each parameter's gradient and the input gradient of one random batch of 6. */
  private static List<float[]> forwardAndBackward(Architecture architecture, int threads) {
    KernelThreads.setThreads(threads);
    Network network = Network.initialize(architecture, 5);
    SplittableRandom random = new SplittableRandom(6);
    int batch = 6;
    float[] x = new float[batch * architecture.inputShape().elementCount()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    List<float[]> results = new ArrayList<>();
    results.add(network.forward(x, batch).clone());
    float[] g = new float[batch * network.outputCount()];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) random.nextGaussian();
    }
    List<TrainableLayer> layers = network.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      g = layers.get(i).backward(g, batch, true);
    }
    results.add(g.clone());
    for (Parameter p : network.parameters()) {
      results.add(p.gradient().clone());
    }
    return results;
  }

  @Test
  void aSmallConvolutionalNetworkLearnsQuadrants() {
    TestData.assertLearnsQuadrants(TestData.CNN, 8);
  }
}
