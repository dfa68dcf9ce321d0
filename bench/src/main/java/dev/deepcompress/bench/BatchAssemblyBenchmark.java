package dev.deepcompress.bench;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training epoch's batch assembly on MNIST-sized data (60,000 samples of 1×28×28, batches of
 * 64, shuffled): the samples' recorded preprocessing applied through {@link SampleSet#copyInput}
 * against the loop that hard-coded {@code pixel / 256f} before preprocessing was recorded, over the
 * same order; and the whole {@link Batches} epoch. The {@code preprocessing} parameter picks the
 * LeNets' scale-only case or a per-channel standardisation (the general path).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class BatchAssemblyBenchmark {
  static final int COUNT = 60_000;
  static final int BATCH = 64;
  static final Shape SHAPE = Shape.of(1, 28, 28);

  @Param({"PIXELS_OVER_256", "STANDARDISED"})
  public String preprocessing;

  private SampleSet set;
  private byte[] pixels;
  private int[] order;

  @Setup
  public void generate() {
    SplittableRandom random = new SplittableRandom(1);
    pixels = new byte[COUNT * SHAPE.elementCount()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) random.nextInt(256);
    }
    int[] labels = new int[COUNT];
    Preprocessing p =
        preprocessing.equals("PIXELS_OVER_256")
            ? Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f / 256)
            : Preprocessing.of(
                Preprocessing.Layout.CHANNELS_FIRST,
                1f / 255,
                new float[] {0.1307f},
                new float[] {0.3081f});
    set = SampleSet.ofBytes("synthetic", SHAPE, pixels, labels).withPreprocessing(p);
    order = new int[COUNT];
    for (int i = 0; i < COUNT; i++) {
      order[i] = i;
    }
    for (int i = COUNT - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Writes one sample's network input at an offset. */
  @FunctionalInterface
  interface SampleCopy {
    void copy(int sample, float[] inputs, int offset);
  }

  /** Batch assembly over the shuffled order; JMH forks each benchmark, so the copy is inlined. */
  private float epoch(SampleCopy copy) {
    int size = SHAPE.elementCount();
    float sum = 0;
    for (int start = 0; start < COUNT; start += BATCH) {
      int n = Math.min(BATCH, COUNT - start);
      float[] inputs = new float[n * size];
      for (int b = 0; b < n; b++) {
        copy.copy(order[start + b], inputs, b * size);
      }
      sum += inputs[0];
    }
    return sum;
  }

  /** The inner loop as it was, dividing each pixel by 256. */
  @Benchmark
  public float hardCodedDivision() {
    int size = SHAPE.elementCount();
    return epoch(
        (sample, inputs, offset) -> {
          int from = sample * size;
          for (int p = 0; p < size; p++) {
            inputs[offset + p] = Byte.toUnsignedInt(pixels[from + p]) / 256f;
          }
        });
  }

  /** The same loop through the set's preprocessing. */
  @Benchmark
  public float recordedPreprocessing() {
    return epoch(set::copyInput);
  }

  /** A whole epoch as training draws it. */
  @Benchmark
  public float batchesEpoch() {
    float sum = 0;
    for (Batch batch : new Batches(set, BATCH, 1).epoch(0)) {
      sum += batch.inputs()[0];
    }
    return sum;
  }
}
