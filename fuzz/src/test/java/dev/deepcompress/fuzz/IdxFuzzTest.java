package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.ImageSet;
import dev.deepcompress.datasets.idx.IdxFormatException;
import dev.deepcompress.datasets.idx.IdxImages;
import dev.deepcompress.datasets.idx.IdxReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The IDX reader (plain or gzip, recognised by content) on image and label files. Images that load
 * are batched as training and evaluation batch them.
 */
class IdxFuzzTest {
  /**
   * The reader takes paths: each input is written to the same file, on tmpfs where there is one.
   */
  private static final Path FILE = scratchFile();

  // A gzip file's offsets count decompressed bytes, which the input does not hold.
  private static final Untrusted.Rejection<IdxFormatException> REJECTION =
      new Untrusted.Rejection<>(IdxFormatException.class, e -> e.decompressed() ? 0 : e.offset());

  private static Path scratchFile() {
    try {
      Path shm = Path.of("/dev/shm");
      Path directory =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "idx-fuzz-")
              : Files.createTempDirectory("idx-fuzz-");
      directory.toFile().deleteOnExit();
      Path file = directory.resolve("input");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void images(byte[] input) throws Exception {
    Files.write(FILE, input);
    IdxImages images = Untrusted.load(input, REJECTION, () -> IdxReader.readImages(FILE));
    if (images == null || images.count() == 0) {
      return;
    }
    ImageSet set =
        new ImageSet(
            images.count(),
            images.rows(),
            images.cols(),
            images.pixels(),
            new byte[images.count()]);
    for (Batch batch : Batches.sequential(set, 64)) {
      if (batch.inputs().length != batch.size() * set.pixelsPerImage()) {
        throw new AssertionError("a batch of " + batch.size() + " has the wrong length");
      }
      break;
    }
  }

  @FuzzTest
  void labels(byte[] input) throws Exception {
    Files.write(FILE, input);
    Untrusted.load(input, REJECTION, () -> IdxReader.readLabels(FILE, 10));
  }
}
