package dev.deepcompress.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PrunedLayerTest {
  @Test
  void weightSharedLayerKeepsTheFractionWithAtMostTwoToTheBitsValues() {
    SparseQuantizedTensor weight = PrunedLayer.weightShared(100, 120, 0.09, 4, 7);
    assertEquals(Shape.of(100, 120), weight.shape());
    assertEquals(1080, weight.nonZeroCount());
    assertEquals(4, weight.indexBits());
    assertEquals(16, weight.codebook().length, "every codebook entry used");
    float[] dense = weight.toDense();
    int nonZeros = 0;
    for (float w : dense) {
      if (w != 0) {
        nonZeros++;
        assertTrue(Math.abs(w) > 0.008, "pruned: no small weights survive, got " + w);
      }
    }
    assertEquals(1080, nonZeros);
  }

  @Test
  void positionsAreSpreadOverTheWholeMatrix() {
    int[] positions = PrunedLayer.weightShared(100, 100, 0.5, 5, 3).positions();
    long inFirstHalf = Arrays.stream(positions).filter(p -> p < 5000).count();
    // 5000 of 10000 drawn: the first half's count is hypergeometric, standard deviation 25.
    assertTrue(Math.abs(inFirstHalf - 2500) < 200, inFirstHalf + " of 5000 in the first half");
  }

  @Test
  void sameSeedSameLayer() {
    assertEquals(
        PrunedLayer.weightShared(30, 40, 0.2, 5, 1), PrunedLayer.weightShared(30, 40, 0.2, 5, 1));
    assertNotEquals(
        PrunedLayer.weightShared(30, 40, 0.2, 5, 1), PrunedLayer.weightShared(30, 40, 0.2, 5, 2));
  }
}
