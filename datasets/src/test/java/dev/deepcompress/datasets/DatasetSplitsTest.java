package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatasetSplitsTest {

  /** Ten 1×1 images whose pixel and label are their position. */
  private static ImageSet numbered(int count) {
    byte[] values = new byte[count];
    for (int i = 0; i < count; i++) {
      values[i] = (byte) i;
    }
    return new ImageSet(count, 1, 1, values, values.clone());
  }

  @Test
  void theValidationSplitIsSpreadEvenlyAndLeavesTheRestInOrder() {
    DatasetSplits splits =
        new DatasetSplits(DatasetKind.MNIST, numbered(10), numbered(3)).withValidation(4);
    // floor(j * 10 / 4) for j = 0..3
    assertArrayEquals(new byte[] {0, 2, 5, 7}, splits.validation().labels());
    assertArrayEquals(new byte[] {0, 2, 5, 7}, splits.validation().pixels());
    assertArrayEquals(new byte[] {1, 3, 4, 6, 8, 9}, splits.train().labels());
    assertEquals(3, splits.test().count());
  }

  @Test
  void withoutAValidationSplitItIsEmpty() {
    DatasetSplits splits = new DatasetSplits(DatasetKind.MNIST, numbered(5), numbered(2));
    assertEquals(0, splits.validation().count());
    assertEquals(5, splits.withValidation(0).train().count());
  }

  @Test
  void aSplitThatLeavesNoTrainingImagesOrComesTwiceIsRefused() {
    DatasetSplits splits = new DatasetSplits(DatasetKind.MNIST, numbered(5), numbered(2));
    assertThrows(IllegalArgumentException.class, () -> splits.withValidation(5));
    assertThrows(IllegalArgumentException.class, () -> splits.withValidation(-1));
    assertThrows(IllegalStateException.class, () -> splits.withValidation(2).withValidation(1));
  }
}
