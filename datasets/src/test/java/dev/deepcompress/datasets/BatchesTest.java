package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {

  private static final Preprocessing OVER_256 =
      Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f / 256);

  /** 1×1 images whose single pixel is the image's index, so a batch reveals its sample order. */
  private static SampleSet indexed(int count) {
    byte[] pixels = new byte[count];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      pixels[i] = (byte) i;
      labels[i] = i % 10;
    }
    return SampleSet.ofBytes("indexed", Shape.of(1, 1, 1), pixels, labels)
        .withPreprocessing(OVER_256);
  }

  /** The image indices in the order the batches deliver them, checking each label on the way. */
  private static List<Integer> order(Iterable<Batch> batches) {
    List<Integer> order = new ArrayList<>();
    for (Batch batch : batches) {
      for (int i = 0; i < batch.size(); i++) {
        int index = Math.round(batch.inputs()[i] * 256f);
        assertEquals(index % 10, batch.labels()[i], "label travels with its image");
        order.add(index);
      }
    }
    return order;
  }

  @Test
  void everyEpochVisitsEachSampleExactlyOnce() {
    // Edge cases first: empty and single-sample sets, remainders around the batch size, the
    // largest set, extreme seeds and epochs.
    long[][] edgeCases = { // count, batch size, seed, epoch
      {0, 1, 0, 0},
      {0, 40, Long.MAX_VALUE, 1000},
      {1, 1, Long.MIN_VALUE, 1000},
      {1, 40, -1, 0},
      {39, 40, 1, 1},
      {40, 40, Long.MIN_VALUE, 999},
      {41, 40, Long.MAX_VALUE, 0},
      {40, 1, 0, 1000},
      {255, 40, -1, 1000},
      {256, 1, Long.MAX_VALUE, 0},
      {256, 40, Long.MIN_VALUE, 1000},
    };
    for (long[] edge : edgeCases) {
      everyEpochVisitsEachSampleExactlyOnce((int) edge[0], (int) edge[1], edge[2], (int) edge[3]);
    }
    for (int trial = 0; trial < 200; trial++) {
      SplittableRandom random = new SplittableRandom(trial);
      everyEpochVisitsEachSampleExactlyOnce(
          random.nextInt(257), random.nextInt(1, 41), random.nextLong(), random.nextInt(1001));
    }
  }

  private static void everyEpochVisitsEachSampleExactlyOnce(
      int count, int batchSize, long seed, int epoch) {
    String inputs =
        "count " + count + ", batch size " + batchSize + ", seed " + seed + ", epoch " + epoch;
    Synthetic.trial(
        inputs,
        () -> {
          Batches batches = new Batches(indexed(count), batchSize, seed);
          List<Integer> order = order(batches.epoch(epoch));
          Integer[] sorted = order.toArray(Integer[]::new);
          Arrays.sort(sorted);
          Integer[] expected = new Integer[count];
          Arrays.setAll(expected, i -> i);
          assertArrayEquals(expected, sorted);
          int batchCount = 0;
          for (Batch ignored : batches.epoch(epoch)) {
            batchCount++;
          }
          assertEquals(batches.batchesPerEpoch(), batchCount);
          assertEquals((count + batchSize - 1) / batchSize, batchCount);
        });
  }

  @Test
  void sameSeedAndEpochGiveTheSameOrderEvenFromAFreshInstance() {
    SampleSet set = indexed(200);
    List<Integer> first = order(new Batches(set, 16, 1234).epoch(7));
    assertEquals(first, order(new Batches(set, 16, 1234).epoch(7)));
    Iterable<Batch> epoch = new Batches(set, 16, 1234).epoch(7);
    assertEquals(order(epoch), order(epoch), "iterating an epoch twice");
  }

  @Test
  void orderDependsOnEpochAndSeed() {
    SampleSet set = indexed(200);
    Batches batches = new Batches(set, 16, 1234);
    List<Integer> epoch7 = order(batches.epoch(7));
    assertNotEquals(epoch7, order(batches.epoch(8)));
    assertNotEquals(epoch7, order(new Batches(set, 16, 1235).epoch(7)));
    List<Integer> identity = order(Batches.sequential(set, 16));
    assertNotEquals(identity, epoch7, "an epoch is shuffled");
  }

  @Test
  void batchSizeDoesNotChangeTheEpochOrder() {
    SampleSet set = indexed(100);
    assertEquals(order(new Batches(set, 7, 99).epoch(3)), order(new Batches(set, 32, 99).epoch(3)));
  }

  @Test
  void pixelsOver256AreExactlyTheDivisionTheLeNetsWereTrainedWith() {
    byte[] pixels = new byte[256];
    for (int v = 0; v < 256; v++) {
      pixels[v] = (byte) v;
    }
    SampleSet set =
        SampleSet.ofBytes("every value", Shape.of(1, 16, 16), pixels, new int[] {3})
            .withPreprocessing(OVER_256);
    Batch batch = Batches.sequential(set, 1).iterator().next();
    assertEquals(256, batch.inputSize());
    for (int v = 0; v < 256; v++) {
      // What the batches computed before preprocessing was recorded in the model.
      assertEquals(
          Float.floatToRawIntBits(v / 256f),
          Float.floatToRawIntBits(batch.inputs()[v]),
          "pixel value " + v);
    }
    assertArrayEquals(new int[] {3}, batch.labels());
  }

  @Test
  void batchesApplyTheSetsPreprocessingToBytesAndFloats() {
    // Two channels of 1×2: per-channel standardisation after scaling.
    Preprocessing standardise =
        Preprocessing.of(
            Preprocessing.Layout.CHANNELS_FIRST,
            0.5f,
            new float[] {1f, -1f},
            new float[] {2f, 0.5f});
    byte[] bytes = {2, 4, 6, 8, 10, 12, 14, (byte) 200};
    float[] floats = {2, 4, 6, 8, 10, 12, 14, 200};
    float[] expected = {0, 0.5f, 8, 10, 2, 2.5f, 16, 202};
    for (SampleSet raw :
        List.of(
            SampleSet.ofBytes("bytes", Shape.of(2, 1, 2), bytes, new int[] {0, 1}),
            SampleSet.ofFloats("floats", Shape.of(2, 1, 2), floats, new int[] {0, 1}))) {
      Batch batch = Batches.sequential(raw.withPreprocessing(standardise), 2).iterator().next();
      assertArrayEquals(expected, batch.inputs(), raw.source());
      assertArrayEquals(new int[] {0, 1}, batch.labels());
    }
  }

  @Test
  void aSetWithoutPreprocessingCannotMakeBatches() {
    SampleSet raw = SampleSet.ofBytes("raw.npy", Shape.of(1), new byte[1], new int[1]);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Batches(raw, 1, 1));
    assertEquals(
        "raw.npy has not been prepared with a model's input preprocessing", e.getMessage());
    assertThrows(IllegalStateException.class, () -> Batches.sequential(raw, 1));
  }

  @Test
  void lastBatchHoldsTheRemainder() {
    SampleSet set = indexed(23);
    Batches batches = new Batches(set, 10, 5);
    assertEquals(3, batches.batchesPerEpoch());
    List<Integer> sizes = new ArrayList<>();
    for (Batch b : batches.epoch(0)) {
      sizes.add(b.size());
      assertEquals(b.size(), b.inputs().length);
    }
    assertEquals(List.of(10, 10, 3), sizes);
    assertEquals(2, new Batches(indexed(20), 10, 5).batchesPerEpoch());
    assertEquals(0, new Batches(indexed(0), 10, 5).batchesPerEpoch());
    assertFalse(new Batches(indexed(0), 10, 5).epoch(0).iterator().hasNext());
  }

  @Test
  void sequentialKeepsFileOrderAndImageLayout() {
    SampleSet set = Synthetic.images(5, 2, 3, 11).withPreprocessing(OVER_256);
    List<Batch> batches = new ArrayList<>();
    Batches.sequential(set, 2).forEach(batches::add);
    assertEquals(List.of(2, 2, 1), batches.stream().map(Batch::size).toList());
    int image = 0;
    for (Batch batch : batches) {
      for (int b = 0; b < batch.size(); b++, image++) {
        assertEquals(set.label(image), batch.labels()[b]);
        for (int p = 0; p < 6; p++) {
          float expected = Byte.toUnsignedInt(set.byteValues()[image * 6 + p]) / 256f;
          assertEquals(expected, batch.inputs()[b * 6 + p]);
        }
      }
    }
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), order(Batches.sequential(indexed(7), 3)));
  }

  @Test
  void invalidArgumentsAreRejected() {
    SampleSet set = indexed(4);
    assertThrows(IllegalArgumentException.class, () -> new Batches(set, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Batches.sequential(set, -1));
    assertThrows(IllegalArgumentException.class, () -> new Batches(set, 2, 1).epoch(-1));
  }
}
