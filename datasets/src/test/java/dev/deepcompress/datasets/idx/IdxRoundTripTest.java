package dev.deepcompress.datasets.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.deepcompress.datasets.ImageSet;
import dev.deepcompress.datasets.Synthetic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxRoundTripTest {

  @Property(tries = 60)
  void writtenFilesReadBackUnchanged(@ForAll("imageSets") ImageSet set, @ForAll boolean gzip)
      throws IOException {
    Path dir = Files.createTempDirectory("idx-roundtrip");
    try {
      Path images = dir.resolve("images");
      Path labels = dir.resolve("labels");
      IdxWriter.writeImages(images, set, gzip);
      IdxWriter.writeLabels(labels, set, gzip);
      Synthetic.assertSameImages(set, IdxReader.readImageSet(images, labels, 10));
    } finally {
      Synthetic.deleteTree(dir);
    }
  }

  @Provide
  Arbitrary<ImageSet> imageSets() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(1, 7),
            Arbitraries.integers().between(1, 7))
        .flatAs(
            (count, rows, cols) ->
                Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofSize(count * rows * cols),
                        Arbitraries.bytes()
                            .between((byte) 0, (byte) 9)
                            .array(byte[].class)
                            .ofSize(count))
                    .as((pixels, labels) -> new ImageSet(count, rows, cols, pixels, labels)));
  }

  @Test
  void plainFilesHaveTheBigEndianLayoutOfTheSpec(@TempDir Path dir) throws IOException {
    byte[] pixels = {1, 2, 3, 4, 5, (byte) 0xff, 7, 8, 9, 10, 11, 12};
    ImageSet set = new ImageSet(2, 2, 3, pixels, new byte[] {7, 0});
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
    ImageSet set = Synthetic.images(5, 3, 4, 42);
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
