package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Analytic gradients against central finite differences of a scalar objective. */
class GradientCheckTest {
  private static final float EPS = 1e-3f;

  /** Objective Σ r·y with fixed random r, so dL/dy = r exactly. */
  private static double objective(float[] y, float[] r, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += (double) y[i] * r[i];
    }
    return sum;
  }

  private static float[] random(SplittableRandom random, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextDouble(-scale, scale);
    }
    return v;
  }

  private static void assertClose(double analytic, double numeric, String what) {
    double tolerance = 5e-4 + 2e-3 * Math.abs(numeric);
    assertTrue(
        Math.abs(analytic - numeric) <= tolerance,
        what + ": analytic " + analytic + " vs numeric " + numeric);
  }

  /** Checks dL/dx and dL/dθ of one layer at a random point. */
  private static void checkLayer(TrainableLayer layer, int batch, float[] x) {
    SplittableRandom random = new SplittableRandom(7);
    int outCount = batch * layer.outputShape().elementCount();
    float[] r = random(random, outCount, 1);
    layer.forward(x, batch);
    float[] dx = layer.backward(r, batch, true).clone();
    List<float[]> gradients = layer.parameters().stream().map(p -> p.gradient().clone()).toList();

    for (int i = 0; i < x.length; i++) {
      float saved = x[i];
      x[i] = saved + EPS;
      double plus = objective(layer.forward(x, batch), r, outCount);
      x[i] = saved - EPS;
      double minus = objective(layer.forward(x, batch), r, outCount);
      x[i] = saved;
      assertClose(dx[i], (plus - minus) / (2 * EPS), layer.spec() + " d/dx[" + i + "]");
    }
    for (int p = 0; p < layer.parameters().size(); p++) {
      float[] w = layer.parameters().get(p).values();
      for (int i = 0; i < w.length; i++) {
        float saved = w[i];
        w[i] = saved + EPS;
        double plus = objective(layer.forward(x, batch), r, outCount);
        w[i] = saved - EPS;
        double minus = objective(layer.forward(x, batch), r, outCount);
        w[i] = saved;
        assertClose(
            gradients.get(p)[i],
            (plus - minus) / (2 * EPS),
            layer.parameters().get(p).name() + "[" + i + "]");
      }
    }
  }

  @Test
  void fullyConnectedLayer() {
    Architecture arch =
        new Architecture("fc", Shape.of(2, 3), List.of(new LayerSpec.FullyConnected("fc", 6, 5)));
    Network network = Network.initialize(arch, 3);
    TrainableLayer layer = layerOf(network, 0);
    SplittableRandom random = new SplittableRandom(11);
    float[] bias = network.parameters().get(1).values();
    System.arraycopy(random(random, bias.length, 0.5), 0, bias, 0, bias.length);
    checkLayer(layer, 4, random(random, 4 * 6, 1));
  }

  @Test
  void reluLayerAwayFromTheKink() {
    ReluLayer relu = new ReluLayer(new LayerSpec.Relu("r"), Shape.of(10));
    SplittableRandom random = new SplittableRandom(5);
    float[] x = new float[30];
    for (int i = 0; i < x.length; i++) {
      double magnitude = random.nextDouble(0.05, 1);
      x[i] = (float) (random.nextBoolean() ? magnitude : -magnitude);
    }
    checkLayer(relu, 3, x);
  }

  @Test
  void convolutionLayers() {
    // input channels, output channels, kernel, stride, padding, height, width
    int[][] cases = {
      {1, 2, 3, 1, 0, 6, 5},
      {3, 2, 3, 2, 1, 7, 6},
      {2, 4, 2, 2, 0, 5, 5}, // the last row and column reach no output: zero gradient
      {2, 3, 5, 1, 2, 4, 6},
      {4, 1, 1, 1, 0, 3, 3},
      {5, 6, 3, 2, 1, 4, 5},
    };
    SplittableRandom random = new SplittableRandom(13);
    for (int[] c : cases) {
      Architecture arch =
          new Architecture(
              "conv",
              Shape.of(c[0], c[5], c[6]),
              List.of(new LayerSpec.Convolution("conv", c[0], c[1], c[2], c[3], c[4])));
      Network network = Network.initialize(arch, c[1]);
      float[] bias = network.parameter("conv.bias").values();
      System.arraycopy(random(random, bias.length, 0.5), 0, bias, 0, bias.length);
      int batch = 1 + random.nextInt(3);
      checkLayer(layerOf(network, 0), batch, random(random, batch * c[0] * c[5] * c[6], 1));
    }
  }

  @Test
  void maxPoolLayersAwayFromTies() {
    // kernel, stride, channels, height, width: clipped last windows, overlapping windows
    int[][] cases = {{2, 2, 2, 5, 5}, {3, 2, 1, 7, 6}, {2, 1, 3, 4, 3}, {3, 3, 2, 8, 7}};
    SplittableRandom random = new SplittableRandom(17);
    for (int[] c : cases) {
      MaxPoolLayer pool =
          new MaxPoolLayer(new LayerSpec.MaxPool("pool", c[0], c[1]), Shape.of(c[2], c[3], c[4]));
      int batch = 2;
      // Distinct values 0.01 apart: a perturbation of EPS never changes which input is largest.
      float[] x = new float[batch * c[2] * c[3] * c[4]];
      for (int i = 0; i < x.length; i++) {
        x[i] = 0.01f * i - 1f;
      }
      for (int i = x.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        float t = x[i];
        x[i] = x[j];
        x[j] = t;
      }
      checkLayer(pool, batch, x);
    }
  }

  @Test
  void averagePoolLayers() {
    // kernel, stride, channels, height, width: clipped last windows, overlapping windows
    int[][] cases = {{2, 2, 2, 5, 5}, {3, 2, 1, 7, 6}, {2, 1, 3, 4, 3}, {3, 3, 2, 8, 7}};
    SplittableRandom random = new SplittableRandom(19);
    for (int[] c : cases) {
      AveragePoolLayer pool =
          new AveragePoolLayer(
              new LayerSpec.AveragePool("pool", c[0], c[1]), Shape.of(c[2], c[3], c[4]));
      int batch = 2;
      checkLayer(pool, batch, random(random, batch * c[2] * c[3] * c[4], 1));
    }
  }

  @Test
  void softmaxCrossEntropyGradient() {
    SplittableRandom random = new SplittableRandom(9);
    int batch = 3;
    int classes = 4;
    float[] logits = random(random, batch * classes, 3);
    int[] labels = {2, 0, 3};
    float[] gradient = new float[logits.length];
    SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, gradient);
    float[] scratch = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      float saved = logits[i];
      logits[i] = saved + EPS;
      double plus = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, scratch);
      logits[i] = saved - EPS;
      double minus = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, scratch);
      logits[i] = saved;
      assertClose(gradient[i], (plus - minus) / (2 * EPS), "dL/dlogit[" + i + "]");
    }
  }

  @Test
  void distillationGradient() {
    SplittableRandom random = new SplittableRandom(10);
    int batch = 3;
    int classes = 5;
    float[] logits = random(random, batch * classes, 3);
    float[] teacher = random(random, batch * classes, 4);
    int[] labels = {4, 0, 2};
    float[] gradient = new float[logits.length];
    Distillation.lossAndGradient(logits, teacher, labels, batch, classes, 3.0, 0.7, gradient);
    float[] scratch = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      float saved = logits[i];
      logits[i] = saved + EPS;
      double plus =
          Distillation.lossAndGradient(logits, teacher, labels, batch, classes, 3.0, 0.7, scratch);
      logits[i] = saved - EPS;
      double minus =
          Distillation.lossAndGradient(logits, teacher, labels, batch, classes, 3.0, 0.7, scratch);
      logits[i] = saved;
      assertClose(gradient[i], (plus - minus) / (2 * EPS), "dL/dlogit[" + i + "]");
    }
  }

  @Test
  void softmaxCrossEntropyExactValue() {
    // Two equal logits: loss ln 2, gradient ±1/2 divided by the batch of 1.
    float[] gradient = new float[2];
    double loss =
        SoftmaxCrossEntropy.lossAndGradient(new float[] {1f, 1f}, new int[] {1}, 1, 2, gradient);
    assertEquals(Math.log(2), loss, 1e-12);
    assertEquals(0.5f, gradient[0], 1e-7f);
    assertEquals(-0.5f, gradient[1], 1e-7f);
  }

  @Test
  void wholeNetworkLossGradient() {
    Architecture arch =
        new Architecture(
            "mlp",
            Shape.of(7),
            List.of(
                new LayerSpec.FullyConnected("a", 7, 6),
                new LayerSpec.Relu("ra"),
                new LayerSpec.FullyConnected("b", 6, 3)));
    checkNetwork(Network.initialize(arch, 21), 5, new int[] {0, 1, 2, 1, 0});
  }

  @Test
  void convolutionalNetworkLossGradient() {
    checkNetwork(Network.initialize(TestData.CNN, 8), 3, new int[] {3, 0, 2});
  }

  private static void checkNetwork(Network network, int batch, int[] labels) {
    SplittableRandom random = new SplittableRandom(4);
    int classes = network.outputCount();
    float[] x = random(random, batch * network.architecture().inputShape().elementCount(), 1);
    float[] gradient = new float[batch * classes];
    SoftmaxCrossEntropy.lossAndGradient(
        network.forward(x, batch), labels, batch, classes, gradient);
    network.backward(gradient, batch);
    float[] scratch = new float[gradient.length];
    for (Parameter p : network.parameters()) {
      float[] analytic = p.gradient().clone();
      float[] w = p.values();
      for (int i = 0; i < w.length; i++) {
        float saved = w[i];
        w[i] = saved + EPS;
        double plus =
            SoftmaxCrossEntropy.lossAndGradient(
                network.forward(x, batch), labels, batch, classes, scratch);
        w[i] = saved - EPS;
        double minus =
            SoftmaxCrossEntropy.lossAndGradient(
                network.forward(x, batch), labels, batch, classes, scratch);
        w[i] = saved;
        assertClose(analytic[i], (plus - minus) / (2 * EPS), p.name() + "[" + i + "]");
      }
    }
  }

  private static TrainableLayer layerOf(Network network, int index) {
    return network.layers().get(index);
  }
}
