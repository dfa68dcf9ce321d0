package dev.deepcompress.datasets;

import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Assertions;

/** Test fixtures shared by the tests of this module. */
public final class Synthetic {

  private Synthetic() {}

  /** Random grey images (1×rows×cols) and labels 0..9, reproducible from the seed. */
  public static SampleSet images(int count, int rows, int cols, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * rows * cols];
    random.nextBytes(pixels);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = random.nextInt(10);
    }
    return SampleSet.ofBytes("synthetic", Shape.of(1, rows, cols), pixels, labels);
  }

  public static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  public static String sha256(Path file) {
    try {
      return sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void assertSameImages(SampleSet expected, SampleSet actual) {
    Assertions.assertEquals(expected.count(), actual.count(), "count");
    Assertions.assertEquals(expected.sampleShape(), actual.sampleShape(), "shape");
    Assertions.assertArrayEquals(expected.byteValues(), actual.byteValues(), "pixels");
    Assertions.assertArrayEquals(expected.labels(), actual.labels(), "labels");
  }

  /** The body of one trial of a randomised test. */
  @FunctionalInterface
  public interface Trial {
    void run() throws Exception;
  }

  /** Runs a trial, naming its inputs in any failure so that the failing case can be replayed. */
  public static void trial(String inputs, Trial trial) {
    try {
      trial.run();
    } catch (Exception | AssertionError e) {
      throw new AssertionError("trial with " + inputs + " failed: " + e, e);
    }
  }
}
