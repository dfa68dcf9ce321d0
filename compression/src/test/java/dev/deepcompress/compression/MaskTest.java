package dev.deepcompress.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MaskTest {

  @Test
  void masksOnlyEverNarrow() {
    float[] w = {0.1f, -0.5f, 0.9f, -0.2f};
    Mask first = Mask.all(4).narrowedTo(w, 0.3);
    float[] regrown = {5f, -0.5f, 0.9f, 5f};
    Mask second = first.narrowedTo(regrown, 0.6);
    assertFalse(second.isKept(0), "a pruned weight never comes back");
    assertFalse(second.isKept(1));
    assertTrue(second.isKept(2));
    assertEquals(1, second.keptCount());
    assertEquals(2, first.keptCount(), "narrowing leaves the old mask as it was");
  }

  @Test
  void wideningRevivesTheLargestScoresOfThePrunedEntries() {
    float[] w = {0.9f, 0f, -0.1f, -0.7f, 0.4f, 0.05f};
    Mask mask = Mask.all(6).narrowedTo(w, 0.5);
    float[] reference = {0f, 0.3f, -0.6f, 0f, -0.3f, 0.1f};
    Mask widened = mask.widenedTo(reference, 4);
    // Kept: 0 and 3 as before, then 2 (|-0.6|), then 1 before 4 (equal scores, earlier first).
    assertArrayEquals(new int[] {0, 1, 2, 3}, widened.keptPositions());
    assertEquals(mask, mask.widenedTo(reference, 2));
    assertEquals(2, mask.keptCount(), "widening leaves the old mask as it was");
    assertThrows(IllegalArgumentException.class, () -> mask.widenedTo(reference, 1));
    assertThrows(IllegalArgumentException.class, () -> mask.widenedTo(reference, 7));
  }

  @Test
  void keptPositionsAscendAndZeroingTouchesOnlyThePrunedEntries() {
    float[] w = {0.9f, 0f, -0.1f, -0.7f, 0.4f, 0.05f};
    Mask mask = Mask.all(6).narrowedTo(w, 0.2);
    assertArrayEquals(new int[] {0, 3, 4}, mask.keptPositions());
    assertEquals(0.5, mask.keptFraction(), 1e-12);
    float[] values = {-0f, 1f, 2f, 3f, 4f, 5f};
    mask.zeroPruned(values);
    // A kept entry keeps whatever it holds, even -0.0; a pruned one becomes +0.0.
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(values[0]));
    assertArrayEquals(new float[] {-0f, 0f, 0f, 3f, 4f, 0f}, values);
  }

  /** Word by word, across word edges and ragged ends: the same as asking each position. */
  @Test
  void zeroingAgreesWithTheKeptPositionsAtEverySizeAndDensity() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int size : new int[] {0, 1, 63, 64, 65, 130, 1000}) {
      for (double density : new double[] {0, 0.1, 0.5, 0.9, 1}) {
        float[] weights = new float[size];
        for (int i = 0; i < size; i++) {
          weights[i] = random.nextDouble() < density ? 1f : 0f;
        }
        Mask mask = Mask.all(size).narrowedTo(weights, 0.5);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
          values[i] = i % 3 == 0 ? -0f : (float) random.nextGaussian();
        }
        float[] expected = new float[size];
        for (int position : mask.keptPositions()) {
          expected[position] = values[position];
        }
        mask.zeroPruned(values);
        for (int i = 0; i < size; i++) {
          assertEquals(
              Float.floatToRawIntBits(expected[i]),
              Float.floatToRawIntBits(values[i]),
              "size " + size + ", density " + density + ", position " + i);
        }
      }
    }
  }

  @Test
  void aMaskIsMadeAgainFromItsKeptPositions() {
    float[] w = {0.9f, 0f, -0.1f, -0.7f, 0.4f, 0.05f, 2f};
    Mask mask = Mask.all(7).narrowedTo(w, 0.2);
    assertEquals(mask, Mask.of(7, mask.keptPositions()));
    assertEquals(Mask.all(3), Mask.of(3, new int[] {0, 1, 2}));
    assertEquals(0, Mask.of(5, new int[0]).keptCount());
    assertThrows(IllegalArgumentException.class, () -> Mask.of(3, new int[] {0, 3}));
    assertThrows(IllegalArgumentException.class, () -> Mask.of(3, new int[] {1, 1}));
    assertThrows(IllegalArgumentException.class, () -> Mask.of(3, new int[] {2, 0}));
    assertThrows(IllegalArgumentException.class, () -> Mask.of(3, new int[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> Mask.of(-1, new int[0]));
  }

  @Test
  void equalMasksAreEqualValues() {
    float[] w = {1, -2, 0.5f, 3};
    assertEquals(Mask.all(4).narrowedTo(w, 1), Mask.all(4).narrowedTo(w.clone(), 1.5));
    assertNotEquals(Mask.all(4).narrowedTo(w, 1), Mask.all(4));
    assertNotEquals(Mask.all(3), Mask.all(4));
  }

  @Test
  void misuseIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Mask.all(-1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Mask.all(4).zeroPruned(new float[3]));
    assertEquals("mask of 4 entries applied to a tensor of 3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Mask.all(4).narrowedTo(new float[5], 0));
  }
}
