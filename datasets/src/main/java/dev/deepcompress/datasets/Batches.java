package dev.deepcompress.datasets;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Splits a {@link SampleSet} into mini-batches of network inputs, each sample preprocessed as the
 * set was prepared ({@link SampleSet#withPreprocessing}). Each epoch visits every sample exactly
 * once, in an order that depends only on the seed and the epoch index, so a run can be repeated
 * exactly or resumed at any epoch.
 */
public final class Batches {
  private final SampleSet set;
  private final int batchSize;
  private final long seed;

  /**
   * @throws IllegalStateException if the set was not prepared with a preprocessing
   */
  public Batches(SampleSet set, int batchSize, long seed) {
    checkBatchSize(batchSize);
    set.requirePreprocessing();
    this.set = set;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  /** {@code ceil(count / batchSize)}; the last batch holds the remainder. */
  public int batchesPerEpoch() {
    return (int) ((set.count() + (long) batchSize - 1) / batchSize);
  }

  /** The batches of epoch {@code epochIndex}, shuffled; iterating again gives the same order. */
  public Iterable<Batch> epoch(int epochIndex) {
    if (epochIndex < 0) {
      throw new IllegalArgumentException("epoch index must be non-negative, got " + epochIndex);
    }
    int[] order = permutation(set.count(), seed, epochIndex);
    return () -> new BatchIterator(set, batchSize, order);
  }

  /** All samples in stored order, for evaluation. */
  public static Iterable<Batch> sequential(SampleSet set, int batchSize) {
    checkBatchSize(batchSize);
    set.requirePreprocessing();
    int[] order = new int[set.count()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    return () -> new BatchIterator(set, batchSize, order);
  }

  private static void checkBatchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
  }

  /**
   * Fisher–Yates shuffle driven by SplitMix64, written out here rather than taken from
   * java.util.random so the order stays the same across JDK versions.
   */
  static int[] permutation(int n, long seed, int epochIndex) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    long state = mix(seed) ^ mix(0x9E3779B97F4A7C15L * (epochIndex + 1L));
    for (int i = n - 1; i > 0; i--) {
      state += 0x9E3779B97F4A7C15L;
      // Multiply-shift maps 32 random bits to [0, i]; its bias (< i / 2^32) is negligible here.
      int j = (int) (((mix(state) >>> 32) * (i + 1L)) >>> 32);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The SplitMix64 finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static final class BatchIterator implements Iterator<Batch> {
    private final SampleSet set;
    private final int batchSize;
    private final int[] order;
    private int next;

    BatchIterator(SampleSet set, int batchSize, int[] order) {
      this.set = set;
      this.batchSize = batchSize;
      this.order = order;
    }

    @Override
    public boolean hasNext() {
      return next < order.length;
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int size = Math.min(batchSize, order.length - next);
      int sampleSize = set.sampleSize();
      float[] inputs = new float[size * sampleSize];
      int[] labels = new int[size];
      for (int b = 0; b < size; b++) {
        int sample = order[next + b];
        set.copyInput(sample, inputs, b * sampleSize);
        labels[b] = set.label(sample);
      }
      next += size;
      return new Batch(size, inputs, labels);
    }
  }
}
