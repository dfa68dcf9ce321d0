package dev.deepcompress.datasets.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.Synthetic;
import dev.deepcompress.runtime.model.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxRoundTripTest {

  @Test
  void writtenFilesReadBackUnchanged(@TempDir Path dir) {
    // Edge cases first: no images, a single 1×1 image, the largest shape holding every byte value.
    byte[] everyByte = new byte[12 * 7 * 7];
    int[] extremeLabels = new int[12];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    for (int i = 0; i < extremeLabels.length; i++) {
      extremeLabels[i] = i % 2 * 9;
    }
    roundTrip(dir, "edge case", images(1, 1, new byte[0], new int[0]));
    roundTrip(dir, "edge case", images(7, 7, new byte[0], new int[0]));
    roundTrip(dir, "edge case", images(1, 1, new byte[] {(byte) 0x80}, new int[] {9}));
    roundTrip(dir, "edge case", images(7, 7, everyByte, extremeLabels));
    for (int trial = 0; trial < 60; trial++) {
      SplittableRandom random = new SplittableRandom(trial);
      SampleSet set =
          Synthetic.images(
              random.nextInt(13), random.nextInt(1, 8), random.nextInt(1, 8), random.nextLong());
      roundTrip(dir, "trial " + trial + " (SplittableRandom seed " + trial + ")", set);
    }
  }

  private static SampleSet images(int rows, int cols, byte[] pixels, int[] labels) {
    return SampleSet.ofBytes("test", Shape.of(1, rows, cols), pixels, labels);
  }

  private static void roundTrip(Path dir, String source, SampleSet set) {
    for (boolean gzip : new boolean[] {false, true}) {
      String inputs =
          "%d images of %s, %s, gzip %b".formatted(set.count(), set.sampleShape(), source, gzip);
      Synthetic.trial(
          inputs,
          () -> {
            Path trialDir = Files.createTempDirectory(dir, "trial");
            Path images = trialDir.resolve("images");
            Path labels = trialDir.resolve("labels");
            IdxWriter.writeImages(images, set, gzip);
            IdxWriter.writeLabels(labels, set, gzip);
            Synthetic.assertSameImages(set, IdxReader.readImageSet(images, labels, 10));
          });
    }
  }

  @Test
  void plainFilesHaveTheBigEndianLayoutOfTheSpec(@TempDir Path dir) throws IOException {
    byte[] pixels = {1, 2, 3, 4, 5, (byte) 0xff, 7, 8, 9, 10, 11, 12};
    SampleSet set = images(2, 3, pixels, new int[] {7, 0});
    IdxWriter.writeImages(dir.resolve("i"), set, false);
    IdxWriter.writeLabels(dir.resolve("l"), set, false);

    byte[] expectedImages = {
      0,
      0,
      8,
      3,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3,
      1,
      2,
      3,
      4,
      5,
      (byte) 0xff,
      7,
      8,
      9,
      10,
      11,
      12
    };
    byte[] expectedLabels = {0, 0, 8, 1, 0, 0, 0, 2, 7, 0};
    assertArrayEquals(expectedImages, Files.readAllBytes(dir.resolve("i")));
    assertArrayEquals(expectedLabels, Files.readAllBytes(dir.resolve("l")));
  }

  @Test
  void gzipFilesDecompressWithTheJdkToThePlainBytes(@TempDir Path dir) throws IOException {
    SampleSet set = Synthetic.images(5, 3, 4, 42);
    IdxWriter.writeImages(dir.resolve("plain"), set, false);
    IdxWriter.writeImages(dir.resolve("gz"), set, true);
    byte[] compressed = Files.readAllBytes(dir.resolve("gz"));
    assertArrayEquals(new byte[] {0x1f, (byte) 0x8b}, new byte[] {compressed[0], compressed[1]});
    ByteArrayOutputStream inflated = new ByteArrayOutputStream();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("gz")))) {
      in.transferTo(inflated);
    }
    assertArrayEquals(Files.readAllBytes(dir.resolve("plain")), inflated.toByteArray());
  }
}
