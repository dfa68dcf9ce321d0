package dev.deepcompress.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompressedModelTest {
  @TempDir Path dir;

  /**
   * A LeNet-shaped classifier of 1×28×28 pixel images: convolution, pooling, ReLU, two sparse fully
   * connected layers with a ReLU between, 10 outputs; random sparse-quantized weights.
   */
  static Model digitModel(long seed, Preprocessing preprocessing) {
    Architecture architecture =
        new Architecture(
            "digits",
            Shape.of(1, 28, 28),
            List.of(
                new LayerSpec.Convolution("conv", 1, 4, 5, 1, 0),
                new LayerSpec.MaxPool("pool", 2, 2),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("fc1", 4 * 12 * 12, 64),
                new LayerSpec.Relu("relu2"),
                new LayerSpec.FullyConnected("fc2", 64, 10)));
    Model model = RandomSparse.model(architecture, new SplittableRandom(seed));
    return preprocessing == null ? model : model.withPreprocessing(preprocessing);
  }

  private static final Preprocessing PIXELS =
      Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f / 256);

  @Test
  void predictsFromRawSamplesThroughTheRecordedPreprocessing() throws IOException {
    Path file = dir.resolve("digits.dcmodel");
    Model written = digitModel(1, PIXELS);
    ModelFile.write(written, file);
    CompressedModel model = CompressedModel.load(file);
    assertEquals(Shape.of(1, 28, 28), model.inputShape());
    assertEquals(784, model.inputSize());
    assertEquals(10, model.outputSize());
    assertEquals(PIXELS, model.preprocessing());
    assertTrue(model.preprocessingRecorded());

    // The network on inputs scaled by hand, through the runtime's own classes.
    InferenceNetwork network = InferenceNetwork.of(written);
    for (float[] sample : ScalarFallbackMain.randomPixels(20, 2)) {
      float[] scaled = new float[784];
      for (int i = 0; i < 784; i++) {
        scaled[i] = sample[i] / 256f;
      }
      float[] expected = network.forward(scaled, 1);
      assertArrayEquals(expected, model.predict(sample));
      int best = 0;
      for (int k = 1; k < expected.length; k++) {
        best = expected[k] > expected[best] ? k : best;
      }
      assertEquals(best, model.classify(sample));
    }
  }

  /** Batches may sum in another order than single samples: equal up to rounding, same classes. */
  @Test
  void aBatchGivesWhatEachSampleGivesAlone() {
    CompressedModel model = CompressedModel.of(digitModel(3, PIXELS));
    float[][] samples = ScalarFallbackMain.randomPixels(300, 4);
    float[][] batch = model.predict(samples);
    int[] classes = model.classify(samples);
    assertEquals(300, batch.length);
    for (int s = 0; s < samples.length; s++) {
      float[] alone = model.predict(samples[s]);
      for (int k = 0; k < alone.length; k++) {
        assertEquals(alone[k], batch[s][k], 1e-4f * Math.max(1, Math.abs(alone[k])), "sample " + s);
      }
      assertEquals(model.classify(samples[s]), classes[s], "sample " + s);
    }
    assertEquals(0, model.predict(new float[0][]).length);
    assertEquals(0, model.classify(new float[0][]).length);
  }

  @Test
  void concurrentCallersGetExactlyTheSingleThreadedResults() throws Exception {
    CompressedModel model = CompressedModel.of(digitModel(5, PIXELS));
    float[][] samples = ScalarFallbackMain.randomPixels(64, 6);
    float[][] single = new float[samples.length][];
    for (int s = 0; s < samples.length; s++) {
      single[s] = model.predict(samples[s]);
    }
    float[][] batchSingle = model.predict(samples);
    int[] classesSingle = model.classify(samples);

    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        Callable<Void> caller =
            () -> {
              for (int round = 0; round < 20; round++) {
                for (int i = 0; i < samples.length; i++) {
                  int s = (i * 7 + offset * 13 + round) % samples.length;
                  assertArrayEquals(single[s], model.predict(samples[s]), "sample " + s);
                }
                if (round % 5 == offset % 5) {
                  float[][] batch = model.predict(samples);
                  for (int s = 0; s < samples.length; s++) {
                    assertArrayEquals(batchSingle[s], batch[s], "batch sample " + s);
                  }
                  assertArrayEquals(classesSingle, model.classify(samples));
                }
              }
              return null;
            };
        futures.add(pool.submit(caller));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFileWithoutPreprocessingGivesTheNetworkItsInputsAsTheyAre() throws IOException {
    Model plain = digitModel(7, null);
    CompressedModel model = CompressedModel.of(plain);
    assertFalse(model.preprocessingRecorded());
    assertTrue(model.preprocessing().isIdentity());
    float[] sample = ScalarFallbackMain.randomPixels(1, 8)[0];
    assertArrayEquals(InferenceNetwork.of(plain).forward(sample.clone(), 1), model.predict(sample));
  }

  @Test
  void badInputsAndFilesAreClearErrors() throws IOException {
    CompressedModel model = CompressedModel.of(digitModel(9, PIXELS));
    IllegalArgumentException shortSample =
        assertThrows(IllegalArgumentException.class, () -> model.predict(new float[783]));
    assertEquals(
        "sample 0 has 783 values; the model takes 784 (1×28×28)", shortSample.getMessage());
    IllegalArgumentException nullRow =
        assertThrows(
            IllegalArgumentException.class,
            () -> model.classify(new float[][] {new float[784], null}));
    assertEquals("sample 1 is null; the model takes 784 (1×28×28)", nullRow.getMessage());

    assertThrows(NoSuchFileException.class, () -> CompressedModel.load(dir.resolve("none")));
    Path corrupt = dir.resolve("corrupt.dcmodel");
    Files.write(corrupt, new byte[] {1, 2, 3});
    assertThrows(ModelFormatException.class, () -> CompressedModel.load(corrupt));
  }
}
