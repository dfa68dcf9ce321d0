package dev.deepcompress.datasets.idx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.Synthetic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdxValidationTest {
  // 3 images of 2×2: a 16-byte header and 12 bytes of pixels.
  private static final SampleSet SET = Synthetic.images(3, 2, 2, 7);

  @TempDir Path dir;

  private static byte[] header(int... ints) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * ints.length);
    for (int v : ints) {
      buffer.putInt(v);
    }
    return buffer.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  private Path file(String name, byte[] content, boolean gzip) throws IOException {
    return Files.write(dir.resolve(name), gzip ? gzip(content) : content);
  }

  private byte[] validImages() throws IOException {
    Path p = dir.resolve("valid-images");
    IdxWriter.writeImages(p, SET, false);
    return Files.readAllBytes(p);
  }

  private byte[] validLabels() throws IOException {
    Path p = dir.resolve("valid-labels");
    IdxWriter.writeLabels(p, SET, false);
    return Files.readAllBytes(p);
  }

  private static IdxFormatException assertFormatError(
      Path file, long offset, String fragment, DatasetExceptionSource call) {
    IdxFormatException e = assertThrows(IdxFormatException.class, call::run);
    assertEquals(file, e.file());
    assertEquals(offset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("offset " + offset + ":"), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    return e;
  }

  private interface DatasetExceptionSource {
    void run() throws DatasetException;
  }

  @ParameterizedTest(name = "cut at {0}, gzip {1}")
  @CsvSource({
    "0,false", "1,false", "3,false", "4,false", "7,false", "8,false", "15,false", "16,false",
    "17,false", "27,false", "0,true", "2,true", "9,true", "16,true", "20,true", "27,true"
  })
  void truncatedImageFileReportsWhereTheDataEnds(int cut, boolean gzip) throws IOException {
    Path f = file("cut", Arrays.copyOf(validImages(), cut), gzip);
    IdxFormatException e = assertFormatError(f, cut, "truncated", () -> IdxReader.readImages(f));
    assertEquals(gzip, e.getMessage().contains("decompressed byte offset"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 4, 6, 8, 10})
  void truncatedLabelFileReportsWhereTheDataEnds(int cut) throws IOException {
    Path f = file("cut", Arrays.copyOf(validLabels(), cut), false);
    assertFormatError(f, cut, "truncated", () -> IdxReader.readLabels(f, 10));
  }

  @Test
  void truncatedGzipStreamIsAFormatError() throws IOException {
    byte[] compressed = gzip(validImages());
    Path f = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(compressed, compressed.length - 10));
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("decompressed byte offset"), e.getMessage());
  }

  @Test
  void brokenGzipHeaderIsAFormatErrorAtOffsetZero() throws IOException {
    Path f = Files.write(dir.resolve("header.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0});
    assertFormatError(f, 0, "unreadable gzip header", () -> IdxReader.readLabels(f, 10));
  }

  @Test
  void foreignFileIsNotAnIdxFile() throws IOException {
    byte[] zip = concat(new byte[] {'P', 'K', 3, 4}, new byte[40]);
    Path f = file("zip", zip, false);
    assertFormatError(
        f, 0, "not an IDX file: magic number 0x504b0304", () -> IdxReader.readImages(f));
  }

  @Test
  void nonByteElementTypeIsRejected() throws IOException {
    byte[] floats = validImages();
    floats[2] = 0x0d;
    Path f = file("floats", floats, false);
    assertFormatError(f, 2, "element type 0x0d", () -> IdxReader.readImages(f));
  }

  @Test
  void labelFileReadAsImagesHasTheWrongDimensionCount() throws IOException {
    Path f = file("labels", validLabels(), true);
    assertFormatError(f, 3, "has 1 dimensions, expected 3", () -> IdxReader.readImages(f));
  }

  @Test
  void imageFileReadAsLabelsHasTheWrongDimensionCount() throws IOException {
    Path f = file("images", validImages(), false);
    assertFormatError(f, 3, "has 3 dimensions, expected 1", () -> IdxReader.readLabels(f, 10));
  }

  @Test
  void headerClaimingTwoToTheThirtyOneImagesFailsBeforeAllocating() throws IOException {
    byte[] content = concat(header(IdxReader.IMAGES_MAGIC, 1 << 31, 28, 28), new byte[100]);
    Path plain = file("huge", content, false);
    assertFormatError(plain, 116, "2147483648 images of 28×28", () -> IdxReader.readImages(plain));
    Path gz = file("huge.gz", content, true);
    assertFormatError(gz, 4, "2147483648 images of 28×28", () -> IdxReader.readImages(gz));
  }

  @Test
  void imagesLargerThanASampleCanBeAreRejectedEvenWhenThereAreNone() throws IOException {
    // Found by IdxFuzzTest#images: no images of 28 × 1,241,514,012 pixels need no data.
    Path f = file("wide", header(IdxReader.IMAGES_MAGIC, 0, 28, 1_241_514_012), false);
    assertFormatError(f, 8, "28×1241514012 images have more pixels", () -> IdxReader.readImages(f));
    Path labels = file("no-labels", header(IdxReader.LABELS_MAGIC, 0), false);
    assertFormatError(f, 8, "more pixels", () -> IdxReader.readImageSet(f, labels, 10));
  }

  @Test
  void hugeLabelCountInGzipIsRejected() throws IOException {
    Path gz = file("labels.gz", concat(header(IdxReader.LABELS_MAGIC, -1), new byte[5]), true);
    assertFormatError(gz, 4, "4294967295 labels", () -> IdxReader.readLabels(gz, 10));
  }

  @Test
  void gzipWithFewerImagesThanDeclaredIsTruncated() throws IOException {
    // Far more than the initial buffer, so the reader has to grow it before noticing the end.
    byte[] content = concat(header(IdxReader.IMAGES_MAGIC, 3_000_000, 1, 1), new byte[10]);
    Path gz = file("short.gz", content, true);
    assertFormatError(gz, 26, "truncated", () -> IdxReader.readImages(gz));
  }

  @Test
  void zeroRowsIsRejected() throws IOException {
    Path f = file("flat", header(IdxReader.IMAGES_MAGIC, 2, 0, 5), false);
    assertFormatError(f, 8, "no pixels", () -> IdxReader.readImages(f));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void trailingGarbageIsReportedAtTheEndOfTheDeclaredData(boolean gzip) throws IOException {
    Path f = file("trailing", concat(validImages(), new byte[] {1, 2, 3}), gzip);
    IdxFormatException e =
        assertFormatError(f, 28, "unexpected data", () -> IdxReader.readImages(f));
    assertEquals(!gzip, e.getMessage().contains("(3 extra bytes)"), e.getMessage());
  }

  @Test
  void labelCountMustMatchImageCount() throws IOException {
    Path images = file("images", validImages(), false);
    Path labels =
        file("labels", concat(header(IdxReader.LABELS_MAGIC, 4), new byte[] {1, 2, 3, 4}), false);
    IdxFormatException e =
        assertFormatError(
            labels, 4, "declares 4 labels", () -> IdxReader.readImageSet(images, labels, 10));
    assertTrue(e.getMessage().contains(images + " declares 3 images"), e.getMessage());
  }

  @Test
  void labelOutOfRangeNamesItsOffset() throws IOException {
    Path f =
        file("labels", concat(header(IdxReader.LABELS_MAGIC, 4), new byte[] {1, 2, 10, 3}), false);
    assertFormatError(
        f, 10, "label 10 of item 2 is outside 0..9", () -> IdxReader.readLabels(f, 10));
    byte[] withinThree =
        IdxReader.readLabels(
            file("small", concat(header(IdxReader.LABELS_MAGIC, 2), new byte[] {2, 0}), false), 3);
    assertEquals(2, withinThree[0]);
    assertFormatError(f, 9, "label 2 of item 1 is outside 0..1", () -> IdxReader.readLabels(f, 2));
  }

  @Test
  void missingFileIsADatasetExceptionNamingIt() {
    Path f = dir.resolve("absent");
    DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(f));
    assertInstanceOf(DatasetException.class, e);
    assertFalse(e instanceof IdxFormatException);
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }
}
