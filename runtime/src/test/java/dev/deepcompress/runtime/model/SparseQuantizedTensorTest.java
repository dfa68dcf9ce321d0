package dev.deepcompress.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SparseQuantizedTensorTest {
  private static final ParameterSpec W =
      new ParameterSpec("fc.weight", ParameterSpec.Role.WEIGHT, Shape.of(2, 4));

  private static void assertMessage(IllegalArgumentException e, String... fragments) {
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
  }

  @Test
  void fromDenseKeepsTheNonZerosWithASortedCodebook() {
    float[] values = {0, 0.5f, -1, 0, 0.5f, 0, 0, 2};
    SparseQuantizedTensor t = SparseQuantizedTensor.fromDense(W, values, 2, 3);
    assertArrayEquals(new float[] {-1, 0.5f, 2}, t.codebook());
    assertArrayEquals(new int[] {1, 2, 4, 7}, t.positions());
    assertArrayEquals(new byte[] {1, 0, 1, 2}, t.codes());
    assertEquals(4, t.nonZeroCount());
    assertEquals(2, t.indexBits());
    assertEquals(3, t.gapBits());
    assertEquals(W.shape(), t.shape());
    assertArrayEquals(values, t.toDense());
  }

  @Test
  void denseRoundTripIsBitExactForRandomQuantizedValues() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 300; trial++) {
      int indexBits = 1 + random.nextInt(8);
      Shape shape = Shape.of(1 + random.nextInt(20), 1 + random.nextInt(20));
      float[] codebook = RandomSparse.codebook(random, 1 + random.nextInt(1 << indexBits));
      double density = random.nextDouble();
      float[] values = new float[shape.elementCount()];
      int nonZeros = 0;
      for (int i = 0; i < values.length; i++) {
        if (random.nextDouble() < density) {
          values[i] = codebook[random.nextInt(codebook.length)];
          nonZeros++;
        }
      }
      ParameterSpec spec = new ParameterSpec("t", ParameterSpec.Role.WEIGHT, shape);
      SparseQuantizedTensor t =
          SparseQuantizedTensor.fromDense(spec, values, indexBits, 1 + random.nextInt(8));
      assertEquals(nonZeros, t.nonZeroCount());
      float[] decoded = t.toDense();
      for (int i = 0; i < values.length; i++) {
        assertEquals(
            Float.floatToRawIntBits(values[i]),
            Float.floatToRawIntBits(decoded[i]),
            "element " + i);
      }
      float[] sortedCodebook = t.codebook();
      for (int k = 1; k < sortedCodebook.length; k++) {
        assertTrue(sortedCodebook[k - 1] < sortedCodebook[k]);
      }
      // Deterministic: the same values give an equal tensor.
      assertEquals(
          t, SparseQuantizedTensor.fromDense(spec, values.clone(), t.indexBits(), t.gapBits()));
    }
  }

  @Test
  void allZerosGiveAnEmptyTensor() {
    SparseQuantizedTensor t = SparseQuantizedTensor.fromDense(W, new float[8], 1, 1);
    assertEquals(0, t.nonZeroCount());
    assertEquals(0, t.codebook().length);
    assertArrayEquals(new float[8], t.toDense());
  }

  @Test
  void negativeZeroIsNotStoredAndDecodesAsPositiveZero() {
    float[] values = {-0f, 1, 0, 0, 0, 0, 0, -0f};
    SparseQuantizedTensor t = SparseQuantizedTensor.fromDense(W, values, 1, 2);
    assertArrayEquals(new int[] {1}, t.positions());
    assertEquals(0, Float.floatToRawIntBits(t.toDense()[0]));
  }

  @Test
  void tooManyDistinctValuesAreRejectedNamingTheParameterAndCounts() {
    float[] values = {1, 2, 3, 4, 5, 0, 0, 0};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SparseQuantizedTensor.fromDense(W, values, 2, 5));
    assertMessage(e, "fc.weight", "more than 4 distinct non-zero values", "found 5", "2-bit");
    // Exactly 2^indexBits distinct values fit.
    assertEquals(
        4,
        SparseQuantizedTensor.fromDense(W, new float[] {1, 2, 3, 4, 1, 0, 0, 0}, 2, 5)
            .codebook()
            .length);
  }

  @Test
  void fromDenseRejectsBadInput() {
    assertMessage(
        assertThrows(
            IllegalArgumentException.class,
            () -> SparseQuantizedTensor.fromDense(W, new float[7], 2, 5)),
        "fc.weight",
        "7 values");
    float[] nan = new float[8];
    nan[3] = Float.NaN;
    assertMessage(
        assertThrows(
            IllegalArgumentException.class, () -> SparseQuantizedTensor.fromDense(W, nan, 2, 5)),
        "fc.weight[3] is NaN");
    for (int[] bits : new int[][] {{0, 5}, {9, 5}, {2, 0}, {2, 9}}) {
      assertMessage(
          assertThrows(
              IllegalArgumentException.class,
              () -> SparseQuantizedTensor.fromDense(W, new float[8], bits[0], bits[1])),
          "fc.weight",
          "outside 1..8");
    }
  }

  @Test
  void constructorValidatesItsInvariants() {
    Shape shape = Shape.of(6);
    float[] codebook = {0.5f, -1};
    record Case(float[] codebook, int[] positions, byte[] codes, int indexBits, String message) {}
    for (Case c :
        List.of(
            new Case(codebook, new int[] {1, 1}, new byte[] {0, 1}, 1, "not above the previous"),
            new Case(codebook, new int[] {3, 2}, new byte[] {0, 1}, 1, "not above the previous"),
            new Case(codebook, new int[] {-1}, new byte[] {0}, 1, "position -1"),
            new Case(codebook, new int[] {6}, new byte[] {0}, 1, "below the element count 6"),
            new Case(codebook, new int[] {0}, new byte[] {2}, 1, "code 2 at index 0"),
            new Case(codebook, new int[] {0}, new byte[] {(byte) 200}, 8, "code 200"),
            new Case(codebook, new int[] {0, 1}, new byte[] {0}, 1, "2 positions but 1 codes"),
            new Case(new float[3], new int[] {}, new byte[] {}, 1, "codebook of 3 entries"),
            new Case(
                new float[] {Float.POSITIVE_INFINITY},
                new int[] {},
                new byte[] {},
                1,
                "codebook entry 0 is Infinity"))) {
      assertMessage(
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new SparseQuantizedTensor(
                      shape, c.codebook(), c.positions(), c.codes(), c.indexBits(), 3)),
          c.message());
    }
  }

  @Test
  void isImmutable() {
    float[] codebook = {0.5f};
    int[] positions = {2};
    byte[] codes = {0};
    SparseQuantizedTensor t =
        new SparseQuantizedTensor(Shape.of(4), codebook, positions, codes, 1, 1);
    codebook[0] = 9;
    positions[0] = 3;
    t.codebook()[0] = 7;
    t.positions()[0] = 1;
    assertArrayEquals(new float[] {0, 0, 0.5f, 0}, t.toDense());
    assertNotEquals(
        t,
        new SparseQuantizedTensor(
            Shape.of(4), new float[] {0.5f}, new int[] {2}, new byte[] {0}, 1, 2));
  }

  @Test
  void modelDecodesCompressedParametersOnceAndKeepsDenseOnesShared() {
    Architecture architecture =
        new Architecture("m", Shape.of(4), List.of(new LayerSpec.FullyConnected("fc", 4, 2)));
    float[] bias = {1, 2};
    float[] weight = {0, 0.5f, 0, 0, -1, 0, 0, 0.5f};
    Model model =
        Model.ofTensors(
            architecture,
            Map.of(
                "fc.weight",
                SparseQuantizedTensor.fromDense(W, weight, 2, 2),
                "fc.bias",
                new DenseTensor(Shape.of(2), bias)),
            Map.of());
    assertArrayEquals(weight, model.parameter("fc.weight"));
    assertSame(model.parameter("fc.weight"), model.parameter("fc.weight"));
    assertSame(bias, model.parameter("fc.bias"));
    assertSame(bias, model.parameters().get("fc.bias"));
    assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(model.tensors().keySet()));
    assertMessage(
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Model.ofTensors(
                    architecture,
                    Map.of(
                        "fc.weight", new DenseTensor(Shape.of(4, 2), weight),
                        "fc.bias", new DenseTensor(Shape.of(2), bias)),
                    Map.of())),
        "fc.weight has shape 4×2 but the architecture declares 2×4");
    assertMessage(
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Model.ofTensors(
                    architecture,
                    Map.of("fc.weight", new DenseTensor(Shape.of(2, 4), weight)),
                    Map.of())),
        "missing parameter fc.bias");
  }
}
