package dev.deepcompress.datasets.numpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.Synthetic;
import dev.deepcompress.datasets.idx.IdxWriter;
import dev.deepcompress.runtime.model.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NumPy reader against files NumPy wrote (src/test/resources/numpy, made by make_fixtures.py
 * there, whose value formulas these tests recompute) and against broken files made here.
 */
class NumpyDataTest {
  @TempDir Path tmp;

  static Path fixture(String name) {
    try {
      return Path.of(NumpyDataTest.class.getResource("/numpy/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** make_fixtures.py: uint8 element i is (7 i + 3) mod 256. */
  private static byte[] expectedBytes(int count) {
    byte[] values = new byte[count];
    for (int i = 0; i < count; i++) {
      values[i] = (byte) ((7 * i + 3) % 256);
    }
    return values;
  }

  /** make_fixtures.py: float32 element i is i / 4 − 3. */
  private static float[] expectedFloats(int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = i / 4f - 3;
    }
    return values;
  }

  /** make_fixtures.py: the label of sample i is 3 i mod 10. */
  private static int[] expectedLabels(int count) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = 3 * i % 10;
    }
    return labels;
  }

  @Test
  void readsUint8ImagesWithInt64Labels() throws DatasetException {
    SampleSet set = NumpyData.readPair(fixture("images_u8.npy"), fixture("images_labels_i64.npy"));
    assertEquals(5, set.count());
    assertEquals(Shape.of(1, 3, 4), set.sampleShape());
    assertEquals(SampleSet.ElementType.UINT8, set.elementType());
    assertArrayEquals(expectedBytes(60), set.byteValues());
    assertArrayEquals(expectedLabels(5), set.labels());
    assertEquals("images_u8.npy, images_labels_i64.npy", set.source());
  }

  @Test
  void readsFloat32VectorsWithUint8Labels() throws DatasetException {
    SampleSet set =
        NumpyData.readPair(fixture("vectors_f32.npy"), fixture("vectors_labels_u8.npy"));
    assertEquals(Shape.of(6), set.sampleShape());
    assertEquals(SampleSet.ElementType.FLOAT32, set.elementType());
    assertArrayEquals(expectedFloats(24), set.floatValues());
    assertArrayEquals(expectedLabels(4), set.labels());
  }

  @Test
  void readsBigEndianValuesAndHeaderVersionsTwoAndThree() throws DatasetException {
    SampleSet grey =
        NumpyData.readPair(
            fixture("grey_f32_big_endian.npy"), fixture("grey_labels_i16_big_endian.npy"));
    assertEquals(Shape.of(2, 2), grey.sampleShape());
    assertArrayEquals(expectedFloats(12), grey.floatValues());
    assertArrayEquals(expectedLabels(3), grey.labels());

    SampleSet versions =
        NumpyData.readPair(fixture("version2_u8.npy"), fixture("version3_labels_u32.npy"));
    assertEquals(Shape.of(3), versions.sampleShape());
    assertArrayEquals(expectedBytes(6), versions.byteValues());
    assertArrayEquals(expectedLabels(2), versions.labels());
  }

  @Test
  void readsStoredAndCompressedArchives() throws DatasetException {
    SampleSet stored = NumpyData.readNpz(fixture("stored.npz"));
    assertEquals(Shape.of(2, 2, 2), stored.sampleShape());
    assertArrayEquals(expectedBytes(48), stored.byteValues());
    assertArrayEquals(expectedLabels(6), stored.labels());
    assertEquals("stored.npz", stored.source());

    SampleSet compressed = NumpyData.readNpz(fixture("compressed.npz"));
    assertEquals(Shape.of(5), compressed.sampleShape());
    assertArrayEquals(expectedFloats(35), compressed.floatValues());
    assertArrayEquals(expectedLabels(7), compressed.labels());
  }

  @Test
  void filesAreRecognisedByTheirContent() throws IOException {
    SampleSet npz = Datasets.readFiles(List.of(fixture("compressed.npz")));
    assertEquals(7, npz.count());
    SampleSet npy =
        Datasets.readFiles(List.of(fixture("images_u8.npy"), fixture("images_labels_i64.npy")));
    assertEquals(5, npy.count());
    SampleSet images = Synthetic.images(3, 4, 5, 9);
    Path idxImages = tmp.resolve("images.idx");
    Path idxLabels = tmp.resolve("labels.idx.gz");
    IdxWriter.writeImages(idxImages, images, false);
    IdxWriter.writeLabels(idxLabels, images, true);
    Synthetic.assertSameImages(images, Datasets.readFiles(List.of(idxImages, idxLabels)));

    assertRejected(
        fixture("images_u8.npy")
            + ": not an .npz archive; give an .npz with arrays x and y, or two files"
            + " (samples and labels) separated by a comma",
        () -> Datasets.readFiles(List.of(fixture("images_u8.npy"))));
    assertRejected(
        fixture("stored.npz") + ": neither a NumPy .npy file nor an IDX image file",
        () -> Datasets.readFiles(List.of(fixture("stored.npz"), fixture("images_u8.npy"))));
    assertRejected(
        "give one .npz archive or two files (samples and labels), not 3",
        () -> Datasets.readFiles(List.of(idxImages, idxLabels, idxLabels)));
    assertRejected(
        tmp.resolve("nothing.npz") + ": no such file",
        () -> Datasets.readFiles(List.of(tmp.resolve("nothing.npz"))));
  }

  @Test
  void whatNumpyWritesButThisReaderRefusesIsRejectedInOneLine() {
    Path labels = fixture("images_labels_i64.npy");
    Path images = fixture("images_u8.npy");
    rejectsPair(
        "objects.npy",
        labels,
        "holds Python objects (dtype '|O'), stored pickled; this reader never unpickles: save a"
            + " numeric array");
    rejectsPair(
        "fortran_u8.npy",
        labels,
        "the array is stored in Fortran order, which this reader does not support: save"
            + " np.ascontiguousarray(x)");
    rejectsPair(
        "float64.npy",
        labels,
        "samples of dtype float64 ('<f8') are not supported: save them as uint8 (pixels) or"
            + " float32, e.g. x.astype(np.float32)");
    rejectsPair("int32_samples.npy", labels, "samples of dtype int32 ('<i4') are not supported");
    rejectsPair(
        "structured.npy",
        labels,
        "byte offset 20: malformed header: a list (a structured dtype?) is not supported");
    rejectsPair(
        "vector.npy", labels, "samples of shape (5,) are not [N, D], [N, H, W] or [N, C, H, W]");
    rejectsPair("rank5.npy", labels, "samples of shape (1, 1, 1, 2, 2) are not [N, D]");
    rejectsPair("no_samples.npy", labels, "holds no samples (shape (0, 3))");
    rejectsPair(
        "nan_f32.npy",
        fixture("version3_labels_u32.npy"),
        "value NaN at element 2 of sample 1: samples must be finite");
    rejectsLabels(
        images,
        "float_labels.npy",
        "labels of dtype float32 ('<f4') are not integers: save class indices, e.g."
            + " y.astype(np.int64)");
    rejectsLabels(images, "bool_labels.npy", "labels of dtype bool ('|b1') are not integers");
    rejectsLabels(
        images,
        "column_labels.npy",
        "labels of shape (5, 1) are not one per sample: save y.reshape(-1)");
    rejectsLabels(images, "negative_labels.npy", "label -1 of sample 2 is negative");
    rejectsLabels(images, "huge_labels.npy", "label 9223372036854775808 of sample 1 is too large");
    rejectsLabels(images, "four_labels.npy", "holds 4 labels but images_u8.npy holds 5 samples");
  }

  /** Rejected with a message that starts with the file and this problem. */
  private static void rejectsPair(String samples, Path labels, String problem) {
    Path file = fixture(samples);
    DatasetException e =
        assertThrows(DatasetException.class, () -> NumpyData.readPair(file, labels));
    assertTrue(e.getMessage().startsWith(file + ": " + problem), e.getMessage());
  }

  private static void rejectsLabels(Path samples, String labels, String problem) {
    Path file = fixture(labels);
    DatasetException e =
        assertThrows(DatasetException.class, () -> NumpyData.readPair(samples, file));
    assertTrue(e.getMessage().startsWith(file + ": " + problem), e.getMessage());
  }

  @Test
  void archivesWithoutTheArraysOrBrokenAreRejected() throws IOException {
    Path noLabels = fixture("no_labels.npz");
    assertRejected(
        noLabels + ": has no array 'y' (it holds [x, z])", () -> NumpyData.readNpz(noLabels));
    byte[] archive = Files.readAllBytes(fixture("stored.npz"));
    for (int length : new int[] {0, 10, archive.length / 2, archive.length - 1}) {
      Path cut = write("cut.npz", Arrays.copyOf(archive, length));
      DatasetException e = assertThrows(DatasetException.class, () -> NumpyData.readNpz(cut));
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
    Path notZip = write("not.npz", "PK\3\4 but nothing else".getBytes(StandardCharsets.US_ASCII));
    assertRejected(
        notZip + ": not a valid .npz (zip) archive: zip END header not found",
        () -> NumpyData.readNpz(notZip));
  }

  @Test
  void anArchiveWhoseEndRecordRunsPastTheFileIsAFormatError() throws IOException {
    // Found by NumpyFuzzTest#npz: a zip comment longer than what follows the END record makes
    // ZipFile throw an EOFException without a message.
    byte[] archive = Files.readAllBytes(fixture("stored.npz"));
    archive[archive.length - 1] = 8;
    Path f = write("long-comment.npz", archive);
    NumpyFormatException e = assertThrows(NumpyFormatException.class, () -> NumpyData.readNpz(f));
    assertTrue(e.getMessage().startsWith(f + ": not a valid .npz (zip) archive: "), e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }

  /** A version 1.0 .npy file with this header dictionary, padded as NumPy pads it. */
  static byte[] npy(String dictionary, byte[] data) {
    int unpadded = 10 + dictionary.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dictionary + " ".repeat(padding) + "\n";
    ByteBuffer out =
        ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(NpyReader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return out.array();
  }

  private static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = tmp.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** Samples from {@code bytes} with the valid labels of images_u8.npy. */
  private void rejectsSamples(byte[] bytes, String problem) throws IOException {
    Path file = write("broken.npy", bytes);
    assertRejected(
        file + ": " + problem, () -> NumpyData.readPair(file, fixture("images_labels_i64.npy")));
  }

  @Test
  void everyTruncationIsRejectedAsTruncated() throws IOException {
    byte[] valid = Files.readAllBytes(fixture("images_u8.npy"));
    for (int length = 0; length < valid.length; length++) {
      Path file = write("cut.npy", Arrays.copyOf(valid, length));
      NumpyFormatException e =
          assertThrows(
              NumpyFormatException.class,
              () -> NumpyData.readPair(file, fixture("images_labels_i64.npy")),
              "cut at " + length);
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertTrue(
          e.getMessage().contains("truncated") || e.getMessage().contains("malformed header"),
          e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
    rejectsSamples(
        Arrays.copyOf(valid, valid.length - 1),
        "byte offset 128: truncated: the header declares (5, 1, 3, 4) uint8 values (60 bytes) but"
            + " 59 bytes follow it");
  }

  @Test
  void sizesAreCheckedAgainstTheDataBeforeAllocating() throws IOException {
    rejectsSamples(
        npy(dict("|u1", "(1099511627776, 1)"), new byte[4]),
        "declares shape (1099511627776, 1), more than the 2147483639 elements an array can hold");
    rejectsSamples(
        npy(dict("<f4", "(4294967296, 4294967296)"), new byte[4]),
        "declares shape (4294967296, 4294967296), more than the 2147483639 elements an array can"
            + " hold");
    rejectsSamples(
        npy(dict("<f4", "(1000000, 784)"), new byte[16]),
        "byte offset 128: truncated: the header declares (1000000, 784) float32 values"
            + " (3136000000 bytes) but 16 bytes follow it");
    rejectsSamples(
        npy(dict("|u1", "(2, 2)"), new byte[5]),
        "byte offset 128: the header declares (2, 2) uint8 values (4 bytes) but 5 bytes follow it");
    byte[] header = npy(dict("|u1", "(2, 2)"), new byte[4]);
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short) 60000);
    rejectsSamples(header, "byte offset 132: truncated: the file ends inside the header");
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).put(6, (byte) 2).putInt(8, 1 << 30);
    rejectsSamples(
        Arrays.copyOf(header, 64),
        "byte offset 8: declares a header of 1073741824 bytes, more than 65536");
  }

  @Test
  void aCompressedEntryIsReadAsItComesWhateverItsHeaderDeclares() throws IOException {
    // Deflated entries have no trustworthy size: a huge declared shape must end as truncated
    // after the few bytes that are there, not as an allocation of the declared size.
    Path archive = tmp.resolve("lying.npz");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
      zip.putNextEntry(new ZipEntry("x.npy"));
      zip.write(npy(dict("<f4", "(2000000000, 1)"), new byte[64]));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("y.npy"));
      zip.write(npy(dict("<i8", "(2000000000,)"), new byte[8]));
      zip.closeEntry();
    }
    assertRejected(
        archive
            + ":x.npy: byte offset 192: truncated: the header declares (2000000000, 1) float32"
            + " values (8000000000 bytes) but the data ends after 64",
        () -> NumpyData.readNpz(archive));
  }

  @Test
  void malformedHeadersAreRejectedWithThePlace() throws IOException {
    byte[] data = new byte[4];
    String[][] cases = {
      {"{'descr': '|u1', 'fortran_order': False}", "the header has no 'shape' entry"},
      {
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
        "byte offset 77: malformed header: expected a string, a tuple, True or False"
      },
      {
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), 'x': True}",
        "the header has unexpected entries [x]"
      },
      {
        "{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)}",
        "byte offset 27: malformed header: the key 'descr' appears twice"
      },
      {
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, -2)}",
        "expected a non-negative integer"
      },
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)} junk", "unexpected text after"},
      {
        "{'descr': '|u1, 'fortran_order': False, 'shape': (2, 2)}",
        "byte offset 27: malformed header: expected '}'"
      },
      {"{'descr': 7, 'fortran_order': False, 'shape': (2, 2)}", "expected a string, a tuple"},
      {"{'descr': '|u1', 'fortran_order': 0, 'shape': (2, 2)}", "expected a string, a tuple"},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': 4}", "expected a string, a tuple"},
      {
        "{'descr': '|u1', 'fortran_order': 'no', 'shape': (2, 2)}",
        "'fortran_order' is not True or False"
      },
      {
        "{'descr': '|u1', 'fortran_order': False, 'shape': 'x'}",
        "'shape' is not a tuple of integers"
      },
      {"{'descr': (2,), 'fortran_order': False, 'shape': (2, 2)}", "'descr' is not a string"},
      {
        "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999, 2)}",
        "integer too large"
      },
      {"['descr', '|u1']", "byte offset 10: malformed header: expected '{'"},
      {
        "{'descr': 'float', 'fortran_order': False, 'shape': (2, 2)}",
        "dtype 'float' is not a simple numeric type"
      },
      {"{'descr': '<f4\\\\', 'fortran_order': False, 'shape': (2, 2)}", "escapes in strings"},
    };
    for (String[] c : cases) {
      Path file = write("header.npy", npy(c[0], data));
      DatasetException e =
          assertThrows(
              DatasetException.class,
              () -> NumpyData.readPair(file, fixture("images_labels_i64.npy")),
              c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " → " + e.getMessage());
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }
    // Python 2 wrote long integers with an L suffix; they still read.
    Path suffixed =
        write(
            "suffixed.npy",
            npy("{'descr': '|u1', 'fortran_order': False, 'shape': (5L, 12L), }", new byte[60]));
    assertEquals(
        Shape.of(12), NumpyData.readPair(suffixed, fixture("images_labels_i64.npy")).sampleShape());
  }

  @Test
  void wrongMagicVersionAndTrailingBytesAreRejected() throws IOException {
    byte[] valid = Files.readAllBytes(fixture("images_u8.npy"));
    byte[] magic = valid.clone();
    magic[1] = 'n';
    rejectsSamples(
        magic, "byte offset 0: not a NumPy .npy file (it does not start with \\x93NUMPY)");
    byte[] version = valid.clone();
    version[6] = 4;
    rejectsSamples(version, "byte offset 6: format version 4.0 is not 1.0, 2.0 or 3.0");
    ByteArrayOutputStream longer = new ByteArrayOutputStream();
    longer.writeBytes(valid);
    longer.write(0);
    rejectsSamples(
        longer.toByteArray(),
        "byte offset 128: the header declares (5, 1, 3, 4) uint8 values (60 bytes) but 61 bytes"
            + " follow it");
  }

  private static void assertRejected(String message, Checked action) {
    try {
      action.run();
      fail("accepted; expected: " + message);
    } catch (DatasetException e) {
      assertEquals(message, e.getMessage());
    }
  }

  @FunctionalInterface
  private interface Checked {
    void run() throws DatasetException;
  }
}
