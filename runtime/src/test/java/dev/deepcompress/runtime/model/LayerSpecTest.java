package dev.deepcompress.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerSpecTest {

  private static void assertRejected(Runnable action, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
  }

  @Test
  void convolutionOutputShapes() {
    assertEquals(
        Shape.of(20, 24, 24),
        new LayerSpec.Convolution("c", 1, 20, 5, 1, 0).outputShape(Shape.of(1, 28, 28)));
    // (7 + 2 − 3) / 2 + 1 = 4 rows, (5 + 2 − 3) / 2 + 1 = 3 columns.
    assertEquals(
        Shape.of(4, 4, 3),
        new LayerSpec.Convolution("c", 3, 4, 3, 2, 1).outputShape(Shape.of(3, 7, 5)));
    // (6 − 3) / 2 + 1 = 2: the last input row is not reached (floor).
    assertEquals(
        Shape.of(1, 2, 2),
        new LayerSpec.Convolution("c", 1, 1, 3, 2, 0).outputShape(Shape.of(1, 6, 6)));
    // Fits only thanks to the padding: (2 + 4 − 5) + 1 = 2.
    assertEquals(
        Shape.of(2, 2, 2),
        new LayerSpec.Convolution("c", 1, 2, 5, 1, 2).outputShape(Shape.of(1, 2, 2)));
  }

  @Test
  void convolutionParameters() {
    LayerSpec.Convolution conv = new LayerSpec.Convolution("conv2", 20, 50, 5, 1, 0);
    assertEquals(
        List.of(
            new ParameterSpec("conv2.weight", ParameterSpec.Role.WEIGHT, Shape.of(50, 20, 5, 5)),
            new ParameterSpec("conv2.bias", ParameterSpec.Role.BIAS, Shape.of(50))),
        conv.parameters(Shape.of(20, 12, 12)));
  }

  @Test
  void convolutionRejectsWhatItCannotCompute() {
    LayerSpec.Convolution conv = new LayerSpec.Convolution("conv", 3, 4, 5, 1, 0);
    assertRejected(
        () -> conv.outputShape(Shape.of(3, 4, 9)), "conv", "5×5 kernel does not fit", "height 4");
    assertRejected(() -> conv.outputShape(Shape.of(3, 9, 2)), "conv", "does not fit", "width 2");
    assertRejected(() -> conv.outputShape(Shape.of(2, 9, 9)), "expects 3 input channels");
    assertRejected(() -> conv.outputShape(Shape.of(243)), "channels×height×width", "243");
    assertRejected(() -> new LayerSpec.Convolution("c", 1, 1, 3, 0, 0), "stride 0");
    assertRejected(() -> new LayerSpec.Convolution("c", 1, 1, 0, 1, 0), "kernel 0");
    assertRejected(() -> new LayerSpec.Convolution("c", 0, 1, 3, 1, 0), "0→1 channels");
    assertRejected(() -> new LayerSpec.Convolution("c", 1, 1, 3, 1, -1), "padding", "-1");
    // Huge padding with a huge stride: a few outputs, computed without int overflow.
    int big = 1 << 30;
    assertEquals(
        Shape.of(1, 3, 3),
        new LayerSpec.Convolution("c", 1, 1, 1, big, big).outputShape(Shape.of(1, 1, 1)));
  }

  @Test
  void averagePoolHasTheWindowsOfMaxPool() {
    for (int kernel = 1; kernel <= 4; kernel++) {
      for (int stride = 1; stride <= kernel; stride++) {
        for (int size = kernel; size <= 9; size++) {
          Shape input = Shape.of(3, size, size + 1);
          assertEquals(
              new LayerSpec.MaxPool("p", kernel, stride).outputShape(input),
              new LayerSpec.AveragePool("p", kernel, stride).outputShape(input));
        }
      }
    }
    assertRejected(
        () -> new LayerSpec.AveragePool("avg", 2, 2).outputShape(Shape.of(3, 1, 4)),
        "avg",
        "does not fit");
    assertRejected(() -> new LayerSpec.AveragePool("avg", 0, 2), "kernel 0");
  }

  @Test
  void maxPoolOutputShapesRoundUpLikeCaffe() {
    assertEquals(
        Shape.of(2, 3, 3), new LayerSpec.MaxPool("p", 2, 2).outputShape(Shape.of(2, 5, 5)));
    assertEquals(
        Shape.of(20, 12, 12), new LayerSpec.MaxPool("p", 2, 2).outputShape(Shape.of(20, 24, 24)));
    assertEquals(
        Shape.of(1, 3, 3), new LayerSpec.MaxPool("p", 3, 2).outputShape(Shape.of(1, 6, 7)));
    assertEquals(
        Shape.of(1, 2, 2), new LayerSpec.MaxPool("p", 3, 1).outputShape(Shape.of(1, 4, 4)));
    // Stride above the kernel is fine while the last window starts inside: 0, 3, 6 in 7.
    assertEquals(
        Shape.of(1, 3, 3), new LayerSpec.MaxPool("p", 1, 3).outputShape(Shape.of(1, 7, 7)));
  }

  /** Caffe: pooled = (int) ceil((float) (H − k) / stride) + 1, with no padding. */
  @Test
  void maxPoolAgreesWithCaffesFormulaWhereverItAcceptsTheShape() {
    int accepted = 0;
    for (int size = 1; size <= 30; size++) {
      for (int kernel = 1; kernel <= 6; kernel++) {
        for (int stride = 1; stride <= 6; stride++) {
          LayerSpec.MaxPool pool = new LayerSpec.MaxPool("p", kernel, stride);
          Shape input = Shape.of(1, size, kernel);
          if (size < kernel) {
            assertRejected(() -> pool.outputShape(input), "does not fit", "height " + size);
            continue;
          }
          int caffe = (int) Math.ceil((float) (size - kernel) / stride) + 1;
          if ((caffe - 1) * stride >= size) {
            assertTrue(stride > kernel);
            assertRejected(() -> pool.outputShape(input), "outside the input");
          } else {
            assertEquals(caffe, pool.outputShape(input).dim(1), size + " " + kernel + " " + stride);
            accepted++;
          }
        }
      }
    }
    assertTrue(accepted > 500, "accepted " + accepted);
  }

  @Test
  void maxPoolRejectsWhatItCannotCompute() {
    assertRejected(
        () -> new LayerSpec.MaxPool("pool", 2, 2).outputShape(Shape.of(3, 1, 4)),
        "pool",
        "2×2 window does not fit",
        "height 1");
    assertRejected(
        () -> new LayerSpec.MaxPool("pool", 1, 3).outputShape(Shape.of(1, 5, 7)),
        "last 1×1 window starts at height 6",
        "outside the input");
    assertRejected(
        () -> new LayerSpec.MaxPool("pool", 2, 2).outputShape(Shape.of(16)),
        "channels×height×width");
    assertRejected(() -> new LayerSpec.MaxPool("pool", 0, 2), "kernel 0");
    assertRejected(() -> new LayerSpec.MaxPool("pool", 2, -1), "stride -1");
  }

  @Test
  void pruningSeesConvolutionAndFullyConnectedWeights() {
    Architecture architecture =
        new Architecture(
            "small-cnn",
            Shape.of(1, 8, 8),
            List.of(
                new LayerSpec.Convolution("conv1", 1, 4, 3, 1, 0),
                new LayerSpec.MaxPool("pool1", 2, 2),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("ip1", 36, 5)));
    assertEquals(
        Map.of("conv1", "conv1.weight", "ip1", "ip1.weight"), architecture.weightNamesByLayer());
    assertEquals(List.of("conv1", "ip1"), List.copyOf(architecture.weightNamesByLayer().keySet()));
    assertEquals(4 * 9 + 4 + 36 * 5 + 5, architecture.parameterCount());
  }
}
