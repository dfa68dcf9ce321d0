package dev.deepcompress.datasets.idx;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Shape;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads IDX files of unsigned bytes: idx1 labels and idx3 images, plain or gzip-compressed
 * (recognised by the gzip magic bytes, not the file name). Every size in the header is checked
 * against the bytes actually present, so a malformed header gives an {@link IdxFormatException}
 * rather than a huge allocation.
 */
public final class IdxReader {
  public static final int LABELS_MAGIC = 0x00000801;
  public static final int IMAGES_MAGIC = 0x00000803;

  static final int UNSIGNED_BYTE_TYPE = 0x08;

  // Slightly below Integer.MAX_VALUE: the largest array size every JVM accepts.
  private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

  private static final int GZIP_READ_CHUNK = 8192;

  private IdxReader() {}

  /**
   * Reads an image file and its label file and checks that they describe the same images: grey
   * images, so samples of shape 1×rows×cols.
   */
  public static SampleSet readImageSet(Path imagesFile, Path labelsFile, int classes)
      throws DatasetException {
    IdxImages images = readImages(imagesFile);
    byte[] labels = readLabels(labelsFile, classes, images.count(), imagesFile);
    int[] unsigned = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      unsigned[i] = Byte.toUnsignedInt(labels[i]);
    }
    return SampleSet.ofBytes(
        imagesFile.getFileName() + ", " + labelsFile.getFileName(),
        Shape.of(1, images.rows(), images.cols()),
        images.pixels(),
        unsigned);
  }

  public static IdxImages readImages(Path file) throws DatasetException {
    try (Input in = Input.open(file)) {
      in.readMagic(IMAGES_MAGIC, 3);
      long count = in.readSize("image count");
      long rows = in.readSize("row count");
      long cols = in.readSize("column count");
      if (rows == 0 || cols == 0) {
        throw in.error(rows == 0 ? 8 : 12, "images of " + rows + "×" + cols + " have no pixels");
      }
      // Checked apart from the data size, which is 0 for a file of no images.
      if (product(rows, cols) > Integer.MAX_VALUE) {
        throw in.error(
            8,
            rows
                + "×"
                + cols
                + " images have more pixels than one sample can hold ("
                + Integer.MAX_VALUE
                + ")");
      }
      byte[] pixels =
          in.readData(
              product(product(count, rows), cols), count + " images of " + rows + "×" + cols);
      in.expectEnd();
      return new IdxImages((int) count, (int) rows, (int) cols, pixels);
    }
  }

  /** Reads a label file whose labels must lie in {@code 0 .. classes-1}. */
  public static byte[] readLabels(Path file, int classes) throws DatasetException {
    return readLabels(file, classes, -1, null);
  }

  private static byte[] readLabels(Path file, int classes, long expectedCount, Path imagesFile)
      throws DatasetException {
    if (classes < 1 || classes > 256) {
      throw new IllegalArgumentException("classes must be in 1..256, got " + classes);
    }
    try (Input in = Input.open(file)) {
      in.readMagic(LABELS_MAGIC, 1);
      long count = in.readSize("label count");
      if (expectedCount >= 0 && count != expectedCount) {
        throw in.error(
            4,
            "declares "
                + count
                + " labels but the image file "
                + imagesFile
                + " declares "
                + expectedCount
                + " images");
      }
      long dataStart = in.offset;
      byte[] labels = in.readData(count, count + " labels");
      for (int i = 0; i < labels.length; i++) {
        int label = Byte.toUnsignedInt(labels[i]);
        if (label >= classes) {
          throw in.error(
              dataStart + i,
              "label " + label + " of item " + i + " is outside 0.." + (classes - 1));
        }
      }
      in.expectEnd();
      return labels;
    }
  }

  /**
   * The content of {@code in}, decompressed if it starts with the gzip magic bytes (several
   * concatenated gzip members are read as one stream).
   */
  public static InputStream uncompressed(InputStream in) throws IOException {
    BufferedInputStream buffered =
        in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 1 << 16);
    return isGzip(buffered) ? gunzip(buffered) : buffered;
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    byte[] magic = in.readNBytes(2);
    in.reset();
    return GzipCompressorInputStream.matches(magic, magic.length);
  }

  private static InputStream gunzip(InputStream in) throws IOException {
    return GzipCompressorInputStream.builder()
        .setInputStream(in)
        .setDecompressConcatenated(true)
        .get();
  }

  /** {@code a * b}, or {@link Long#MAX_VALUE} when that overflows (sizes are non-negative). */
  private static long product(long a, long b) {
    return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
  }

  /** A positioned reader over the (decompressed) content of one file. */
  private static final class Input implements AutoCloseable {
    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    // Size of a plain file, so declared sizes can be checked before anything is allocated; -1
    // for gzip, whose decompressed size is only known by reading it.
    private final long length;
    private long offset;

    private Input(Path file, InputStream in, boolean gzip, long length) {
      this.file = file;
      this.in = in;
      this.gzip = gzip;
      this.length = length;
    }

    static Input open(Path file) throws DatasetException {
      InputStream raw;
      long length;
      try {
        raw = Files.newInputStream(file);
        length = Files.size(file);
      } catch (NoSuchFileException e) {
        throw new DatasetException(file + ": no such file", e);
      } catch (IOException e) {
        throw new DatasetException(file + ": cannot open: " + e.getMessage(), e);
      }
      try {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        if (!isGzip(buffered)) {
          return new Input(file, buffered, false, length);
        }
        try {
          return new Input(file, gunzip(buffered), true, -1);
        } catch (IOException e) {
          throw new IdxFormatException(
              file, 0, false, "unreadable gzip header: " + e.getMessage(), e);
        }
      } catch (IOException e) {
        try {
          raw.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e instanceof DatasetException d
            ? d
            : new DatasetException(file + ": cannot read: " + e.getMessage(), e);
      }
    }

    IdxFormatException error(long at, String problem) {
      return new IdxFormatException(file, at, gzip, problem);
    }

    void readMagic(int expected, int dimensions) throws DatasetException {
      byte[] m = readHeader(4, "magic number");
      int magic = (m[0] & 0xff) << 24 | (m[1] & 0xff) << 16 | (m[2] & 0xff) << 8 | (m[3] & 0xff);
      if (m[0] != 0 || m[1] != 0) {
        throw error(
            0,
            String.format(
                "not an IDX file: magic number 0x%08x, expected 0x%08x", magic, expected));
      }
      if (m[2] != UNSIGNED_BYTE_TYPE) {
        throw error(
            2,
            String.format(
                "element type 0x%02x is not unsigned byte (0x%02x)", m[2], UNSIGNED_BYTE_TYPE));
      }
      if (m[3] != dimensions) {
        throw error(
            3,
            "has "
                + Byte.toUnsignedInt(m[3])
                + " dimensions, expected "
                + dimensions
                + (dimensions == 1 ? " (an idx1 label file)" : " (an idx3 image file)"));
      }
    }

    /** An unsigned 32-bit big-endian size field. */
    long readSize(String field) throws DatasetException {
      byte[] b = readHeader(4, field);
      return Integer.toUnsignedLong(
          (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
    }

    private byte[] readHeader(int n, String field) throws DatasetException {
      byte[] b;
      try {
        b = in.readNBytes(n);
      } catch (IOException e) {
        throw readFailure(offset, e);
      }
      if (b.length < n) {
        throw error(
            offset + b.length, "truncated: the file ends inside the header (" + field + ")");
      }
      offset += n;
      return b;
    }

    /** Reads the {@code bytes} bytes of data that the header promises. */
    byte[] readData(long bytes, String what) throws DatasetException {
      String declared =
          "header declares "
              + what
              + " ("
              + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes))
              + " bytes of data after offset "
              + offset
              + ")";
      if (length >= 0 && bytes > length - offset) {
        throw error(length, "truncated: " + declared + " but the file ends at offset " + length);
      }
      if (bytes > MAX_DATA_BYTES) {
        throw error(4, declared + ", more than the " + MAX_DATA_BYTES + " bytes this reader holds");
      }
      // A plain file's length was checked above; gzip content grows the buffer only as data
      // actually arrives.
      byte[] data = new byte[(int) (length >= 0 ? bytes : Math.min(bytes, 1 << 20))];
      // A gzip stream that fails mid-read discards what it had decompressed, so small reads keep
      // the reported offset close to the damage.
      int readChunk = gzip ? GZIP_READ_CHUNK : Integer.MAX_VALUE;
      int filled = 0;
      while (filled < bytes) {
        if (filled == data.length) {
          data = Arrays.copyOf(data, (int) Math.min(bytes, 2L * data.length));
        }
        int n;
        try {
          n = in.read(data, filled, Math.min(data.length - filled, readChunk));
        } catch (IOException e) {
          throw readFailure(offset + filled, e);
        }
        if (n < 0) {
          throw error(
              offset + filled,
              "truncated: " + declared + " but the data ends at offset " + (offset + filled));
        }
        filled += n;
      }
      offset += filled;
      return data;
    }

    void expectEnd() throws DatasetException {
      int next;
      try {
        next = in.read();
      } catch (IOException e) {
        throw readFailure(offset, e);
      }
      if (next >= 0) {
        throw error(
            offset,
            "unexpected data after the declared content"
                + (length >= 0 ? " (" + (length - offset) + " extra bytes)" : ""));
      }
    }

    private DatasetException readFailure(long at, IOException e) {
      String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return gzip
          ? new IdxFormatException(
              file,
              at,
              true,
              "corrupt or truncated gzip data within the next "
                  + GZIP_READ_CHUNK
                  + " bytes ("
                  + cause
                  + ")",
              e)
          : new DatasetException(file + ": read error at byte offset " + at + ": " + cause, e);
    }

    @Override
    public void close() throws DatasetException {
      try {
        in.close();
      } catch (IOException e) {
        throw new DatasetException(file + ": cannot close: " + e.getMessage(), e);
      }
    }
  }
}
