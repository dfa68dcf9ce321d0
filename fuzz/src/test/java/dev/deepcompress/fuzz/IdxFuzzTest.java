package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.idx.IdxFormatException;
import dev.deepcompress.datasets.idx.IdxImages;
import dev.deepcompress.datasets.idx.IdxReader;
import dev.deepcompress.runtime.model.Shape;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The IDX reader (plain or gzip, recognised by content) on image and label files. Images that load
 * are batched as training and evaluation batch them.
 */
class IdxFuzzTest {
  private static final Path FILE = ScratchFiles.file("input");

  // A gzip file's offsets count decompressed bytes, which the input does not hold.
  private static final Untrusted.Rejection<IdxFormatException> REJECTION =
      new Untrusted.Rejection<>(IdxFormatException.class, e -> e.decompressed() ? 0 : e.offset());

  @FuzzTest
  void images(byte[] input) throws Exception {
    Files.write(FILE, input);
    IdxImages images = Untrusted.load(input, REJECTION, () -> IdxReader.readImages(FILE));
    if (images == null) {
      return;
    }
    Batching.firstBatch(
        SampleSet.ofBytes(
            "fuzz",
            Shape.of(1, images.rows(), images.cols()),
            images.pixels(),
            new int[images.count()]));
  }

  @FuzzTest
  void labels(byte[] input) throws Exception {
    Files.write(FILE, input);
    Untrusted.load(input, REJECTION, () -> IdxReader.readLabels(FILE, 10));
  }
}
