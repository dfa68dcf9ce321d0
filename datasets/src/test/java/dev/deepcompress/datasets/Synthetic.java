package dev.deepcompress.datasets;

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

  /** Random pixels and labels 0..9, reproducible from the seed. */
  public static ImageSet images(int count, int rows, int cols, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * rows * cols];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) random.nextInt(10);
    }
    return new ImageSet(count, rows, cols, pixels, labels);
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

  public static void assertSameImages(ImageSet expected, ImageSet actual) {
    Assertions.assertEquals(expected.count(), actual.count(), "count");
    Assertions.assertEquals(expected.rows(), actual.rows(), "rows");
    Assertions.assertEquals(expected.cols(), actual.cols(), "cols");
    Assertions.assertArrayEquals(expected.pixels(), actual.pixels(), "pixels");
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
