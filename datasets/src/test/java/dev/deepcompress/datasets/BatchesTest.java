package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {

  /** 1×1 images whose single pixel is the image's index, so a batch reveals its sample order. */
  private static ImageSet indexed(int count) {
    byte[] pixels = new byte[count];
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      pixels[i] = (byte) i;
      labels[i] = (byte) (i % 10);
    }
    return new ImageSet(count, 1, 1, pixels, labels);
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
    ImageSet set = indexed(200);
    List<Integer> first = order(new Batches(set, 16, 1234).epoch(7));
    assertEquals(first, order(new Batches(set, 16, 1234).epoch(7)));
    Iterable<Batch> epoch = new Batches(set, 16, 1234).epoch(7);
    assertEquals(order(epoch), order(epoch), "iterating an epoch twice");
  }

  @Test
  void orderDependsOnEpochAndSeed() {
    ImageSet set = indexed(200);
    Batches batches = new Batches(set, 16, 1234);
    List<Integer> epoch7 = order(batches.epoch(7));
    assertNotEquals(epoch7, order(batches.epoch(8)));
    assertNotEquals(epoch7, order(new Batches(set, 16, 1235).epoch(7)));
    List<Integer> identity = order(Batches.sequential(set, 16));
    assertNotEquals(identity, epoch7, "an epoch is shuffled");
  }

  @Test
  void batchSizeDoesNotChangeTheEpochOrder() {
    ImageSet set = indexed(100);
    assertEquals(order(new Batches(set, 7, 99).epoch(3)), order(new Batches(set, 32, 99).epoch(3)));
  }

  @Test
  void pixelsAreScaledExactlyByOneOver256() {
    byte[] pixels = new byte[256];
    for (int v = 0; v < 256; v++) {
      pixels[v] = (byte) v;
    }
    ImageSet set = new ImageSet(1, 16, 16, pixels, new byte[] {3});
    Batch batch = Batches.sequential(set, 1).iterator().next();
    assertEquals(256, batch.inputSize());
    for (int v = 0; v < 256; v++) {
      // v / 256 is exact in binary floating point, so it equals v scaled by 2^-8.
      assertEquals(Math.scalb((float) v, -8), batch.inputs()[v], "pixel value " + v);
    }
    assertEquals(255f / 256f, batch.inputs()[255]);
    assertArrayEquals(new int[] {3}, batch.labels());
  }

  @Test
  void lastBatchHoldsTheRemainder() {
    ImageSet set = indexed(23);
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
    ImageSet set = Synthetic.images(5, 2, 3, 11);
    List<Batch> batches = new ArrayList<>();
    Batches.sequential(set, 2).forEach(batches::add);
    assertEquals(List.of(2, 2, 1), batches.stream().map(Batch::size).toList());
    int image = 0;
    for (Batch batch : batches) {
      for (int b = 0; b < batch.size(); b++, image++) {
        assertEquals(set.label(image), batch.labels()[b]);
        for (int p = 0; p < 6; p++) {
          float expected = Byte.toUnsignedInt(set.pixels()[image * 6 + p]) / 256f;
          assertEquals(expected, batch.inputs()[b * 6 + p]);
        }
      }
    }
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), order(Batches.sequential(indexed(7), 3)));
  }

  @Test
  void invalidArgumentsAreRejected() {
    ImageSet set = indexed(4);
    assertThrows(IllegalArgumentException.class, () -> new Batches(set, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Batches.sequential(set, -1));
    assertThrows(IllegalArgumentException.class, () -> new Batches(set, 2, 1).epoch(-1));
  }
}
