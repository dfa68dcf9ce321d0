package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SampleSet and the splits made of it. */
class SampleSetTest {
  private static final Preprocessing IDENTITY = Preprocessing.identity();

  @Test
  void subsetAndSelectCopySamplesWithTheirLabels() {
    SampleSet set = Synthetic.images(6, 2, 2, 3);
    SampleSet sub = set.subset(2, 5);
    assertEquals(3, sub.count());
    assertEquals(4, sub.sampleSize());
    for (int i = 0; i < 3; i++) {
      assertEquals(set.label(i + 2), sub.label(i));
      for (int p = 0; p < 4; p++) {
        assertEquals(set.byteValues()[(i + 2) * 4 + p], sub.byteValues()[i * 4 + p]);
      }
    }
    sub.byteValues()[0]++;
    assertEquals((byte) (set.byteValues()[8] + 1), sub.byteValues()[0], "a copy, not a view");
    assertEquals(0, set.subset(6, 6).count());
    assertThrows(IllegalArgumentException.class, () -> set.subset(4, 7));
    assertThrows(IllegalArgumentException.class, () -> set.subset(3, 2));

    SampleSet floats =
        SampleSet.ofFloats("f", Shape.of(2), new float[] {1, 2, 3, 4, 5, 6}, new int[] {7, 8, 9});
    SampleSet picked = floats.select(new int[] {2, 0});
    assertArrayEquals(new float[] {5, 6, 1, 2}, picked.floatValues());
    assertArrayEquals(new int[] {9, 7}, picked.labels());
    assertEquals(SampleSet.ElementType.FLOAT32, picked.elementType());
    assertThrows(IndexOutOfBoundsException.class, () -> floats.select(new int[] {3}));
  }

  @Test
  void countsAndLabelsAreChecked() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SampleSet.ofBytes("x", Shape.of(2), new byte[3], new int[2]));
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> SampleSet.ofFloats("x", Shape.of(1), new float[2], new int[] {0, -3}));
    assertEquals("label of sample 1 is negative: -3", negative.getMessage());
    assertEquals(
        10, SampleSet.ofBytes("x", Shape.of(1), new byte[2], new int[] {9, 2}).classesNeeded());
  }

  @Test
  void samplesFitAnInputOfTheSameShapeApartFromOnesOrAsAFlatVector() throws DatasetException {
    SampleSet images = SampleSet.ofBytes("x.npy", Shape.of(28, 28), new byte[784], new int[] {3});
    SampleSet flat = SampleSet.ofBytes("x.npy", Shape.of(784), new byte[784], new int[] {3});
    for (Shape input : new Shape[] {Shape.of(1, 28, 28), Shape.of(28, 28), Shape.of(28, 1, 28)}) {
      assertSame(IDENTITY, images.preparedFor(input, 10, IDENTITY).preprocessing().orElseThrow());
      flat.preparedFor(input, 10, IDENTITY);
    }
    flat.preparedFor(Shape.of(784), 4, IDENTITY);
    // A single-channel image goes into a flat input row by row; three channels could go two ways.
    images.preparedFor(Shape.of(784), 10, IDENTITY);
    SampleSet colour = SampleSet.ofBytes("c.npy", Shape.of(3, 4, 4), new byte[48], new int[] {3});
    assertMessage(
        "c.npy: samples of shape 3×4×4 do not fit the model's input of shape 48 (same size,"
            + " different layout)",
        () -> colour.preparedFor(Shape.of(48), 10, IDENTITY));
    assertMessage(
        "x.npy: samples of shape 28×28 do not fit the model's input of shape 3×32×32",
        () -> images.preparedFor(Shape.of(3, 32, 32), 10, IDENTITY));
    assertMessage(
        "x.npy: samples of shape 28×28 do not fit the model's input of shape 1×14×56 (same size,"
            + " different layout)",
        () -> images.preparedFor(Shape.of(1, 14, 56), 10, IDENTITY));
    assertMessage(
        "x.npy: label 3 of sample 0 is outside 0..2: the model has 3 outputs",
        () -> flat.preparedFor(Shape.of(784), 3, IDENTITY));
  }

  @Test
  void theValidationSplitIsSpreadEvenlyAndDisjointFromTraining() throws DatasetException {
    // Labels sorted as some files store them: 0 0 0 0 0 1 1 1 1 1 2 2 …
    int total = 50;
    int[] labels = new int[total];
    float[] values = new float[total];
    for (int i = 0; i < total; i++) {
      labels[i] = i / 5;
      values[i] = i;
    }
    SampleSet train = SampleSet.ofFloats("sorted", Shape.of(1), values, labels);
    SampleSet test = SampleSet.ofFloats("test", Shape.of(1), new float[1], new int[1]);
    DatasetSplits splits = new DatasetSplits("sorted", train, test);
    assertEquals(0, splits.validation().count());

    DatasetSplits held = splits.withValidation(10);
    assertArrayEquals(
        new float[] {0, 5, 10, 15, 20, 25, 30, 35, 40, 45}, held.validation().floatValues());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, held.validation().labels());
    assertEquals(40, held.train().count());
    assertSame(test, held.test());
    Set<Float> seen = new HashSet<>();
    for (float v : held.train().floatValues()) {
      assertTrue(seen.add(v));
    }
    for (float v : held.validation().floatValues()) {
      assertTrue(seen.add(v), "validation sample " + v + " is also in training");
    }
    assertEquals(total, seen.size());
    float[] trainValues = held.train().floatValues();
    float[] sorted = trainValues.clone();
    Arrays.sort(sorted);
    assertArrayEquals(sorted, trainValues, "training keeps its stored order");

    assertArrayEquals(new int[] {0, 16, 33}, DatasetSplits.validationIndices(50, 3));
    assertArrayEquals(new int[] {0}, DatasetSplits.validationIndices(50, 1));
    assertEquals(49, splits.withValidation(49).validation().count());
    assertEquals(0, splits.withValidation(0).validation().count());
    assertThrows(IllegalArgumentException.class, () -> splits.withValidation(50));
    assertThrows(IllegalArgumentException.class, () -> splits.withValidation(-1));
    assertThrows(IllegalStateException.class, () -> held.withValidation(5));

    DatasetSplits prepared = held.preparedFor(Shape.of(1), 10, IDENTITY);
    for (SampleSet set :
        new SampleSet[] {prepared.train(), prepared.validation(), prepared.test()}) {
      assertSame(IDENTITY, set.preprocessing().orElseThrow());
    }
  }

  private static void assertMessage(String expected, Checked action) {
    DatasetException e = assertThrows(DatasetException.class, action::run);
    assertEquals(expected, e.getMessage());
  }

  @FunctionalInterface
  private interface Checked {
    void run() throws DatasetException;
  }
}
