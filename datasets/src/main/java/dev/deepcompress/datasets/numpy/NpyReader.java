package dev.deepcompress.datasets.numpy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one array from an {@code .npy} stream: the magic {@code \x93NUMPY}, a version (1.0, 2.0 or
 * 3.0), a little-endian header length (2 bytes in version 1, 4 after), the header dictionary
 * ({@link NpyHeader}), then the raw elements. Every size is checked before anything is allocated:
 * against the bytes the stream holds when that is known (a file, a stored zip entry), otherwise (a
 * compressed zip entry) the arrays grow only as data actually arrives.
 */
final class NpyReader {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** Headers are a few dozen bytes; NumPy itself refuses ones above 10,000 by default. */
  static final int MAX_HEADER_BYTES = 1 << 16;

  /** The largest array every JVM can allocate. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private static final int CHUNK_BYTES = 1 << 16;

  private final String source;
  private final InputStream in;
  // Bytes the stream holds, or -1 when only reading tells.
  private final long length;
  private long offset;

  /**
   * @param source names the stream in messages
   * @param length the bytes {@code in} holds, or -1 if unknown
   */
  NpyReader(String source, InputStream in, long length) {
    this.source = source;
    this.in = in;
    this.length = length;
  }

  NumpyFormatException error(String problem) {
    return new NumpyFormatException(source, problem);
  }

  private NumpyFormatException errorAt(long at, String problem) {
    return error("byte offset " + at + ": " + problem);
  }

  /** Reads up to the first data byte and checks that the data the header declares is present. */
  Declared readHeader() throws NumpyFormatException {
    byte[] start = readExactly(8, "the magic and version");
    if (!Arrays.equals(start, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw errorAt(0, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
    }
    int major = start[6];
    int minor = start[7];
    if (major < 1 || major > 3 || minor != 0) {
      throw errorAt(6, "format version " + major + "." + minor + " is not 1.0, 2.0 or 3.0");
    }
    byte[] lengthField = readExactly(major == 1 ? 2 : 4, "the header length");
    long headerLength =
        major == 1
            ? Short.toUnsignedInt(
                ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getShort())
            : Integer.toUnsignedLong(
                ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getInt());
    if (headerLength > MAX_HEADER_BYTES) {
      throw errorAt(
          8, "declares a header of " + headerLength + " bytes, more than " + MAX_HEADER_BYTES);
    }
    long headerStart = offset;
    byte[] headerBytes = readExactly((int) headerLength, "the header");
    // Versions 1 and 2 store the header in Latin-1, version 3 in UTF-8.
    String text =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader header;
    try {
      header = NpyHeader.parse(text);
    } catch (NpyHeader.HeaderException e) {
      throw errorAt(headerStart + e.position(), "malformed header: " + e.getMessage());
    }
    if (header.descr().matches("[<>|=]?O\\d*")) {
      throw error(
          "holds Python objects (dtype '"
              + header.descr()
              + "'), stored pickled; this reader never unpickles: save a numeric array");
    }
    NpyDtype dtype = NpyDtype.parse(header.descr());
    if (dtype == null) {
      throw error("dtype '" + header.descr() + "' is not a simple numeric type");
    }
    long elements = 1;
    for (long dim : header.shape()) {
      elements = Math.multiplyHigh(elements, dim) != 0 || elements * dim < 0 ? -1 : elements * dim;
      if (elements < 0 || elements > MAX_ELEMENTS) {
        throw error(
            "declares shape "
                + shapeText(header.shape())
                + ", more than the "
                + MAX_ELEMENTS
                + " elements an array can hold");
      }
    }
    long dataBytes = elements * dtype.itemSize();
    if (length >= 0 && dataBytes != length - offset) {
      throw errorAt(
          offset,
          (dataBytes > length - offset ? "truncated: " : "")
              + "the header declares "
              + shapeText(header.shape())
              + " "
              + dtype.name()
              + " values ("
              + dataBytes
              + " bytes) but "
              + (length - offset)
              + " bytes follow it");
    }
    return new Declared(dtype, header.fortranOrder(), header.shape(), elements);
  }

  /**
   * What a header declares.
   *
   * @param elements the product of the shape
   */
  record Declared(NpyDtype dtype, boolean fortranOrder, long[] shape, long elements) {
    String shapeText() {
      return NpyReader.shapeText(shape);
    }
  }

  static String shapeText(long[] shape) {
    StringBuilder text = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      text.append(i > 0 ? ", " : "").append(shape[i]);
    }
    return text.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** The data of a uint8 array. */
  byte[] readBytes(Declared declared) throws NumpyFormatException {
    int count = (int) declared.elements();
    byte[] values = new byte[initialCapacity(count)];
    long dataStart = offset;
    int filled = 0;
    while (filled < count) {
      if (filled == values.length) {
        values = Arrays.copyOf(values, capacity(values.length, filled + 1, count));
      }
      int n = read(values, filled, Math.min(values.length - filled, CHUNK_BYTES));
      if (n < 0) {
        throw truncated(declared, dataStart);
      }
      filled += n;
    }
    expectEnd();
    return values;
  }

  /** The data of a float32 array, in either byte order. */
  float[] readFloats(Declared declared) throws NumpyFormatException {
    int count = (int) declared.elements();
    float[] values = new float[initialCapacity(count)];
    long dataStart = offset;
    byte[] chunk = new byte[CHUNK_BYTES];
    int filled = 0;
    while (filled < count) {
      int n = Math.min(CHUNK_BYTES / 4, count - filled);
      readChunk(chunk, 4 * n, declared, dataStart);
      if (filled + n > values.length) {
        values = Arrays.copyOf(values, capacity(values.length, filled + n, count));
      }
      ByteBuffer.wrap(chunk, 0, 4 * n)
          .order(declared.dtype().order())
          .asFloatBuffer()
          .get(values, filled, n);
      filled += n;
    }
    expectEnd();
    return values;
  }

  /**
   * The data of an integer array as labels: each value must lie in 0 … 2³¹−1.
   *
   * @param what names one element in messages, e.g. "label"
   */
  int[] readLabels(Declared declared, String what) throws NumpyFormatException {
    NpyDtype dtype = declared.dtype();
    int size = dtype.itemSize();
    boolean signed = dtype.kind() == 'i';
    int count = (int) declared.elements();
    int[] values = new int[initialCapacity(count)];
    long dataStart = offset;
    byte[] chunk = new byte[CHUNK_BYTES];
    int filled = 0;
    while (filled < count) {
      int n = Math.min(CHUNK_BYTES / size, count - filled);
      readChunk(chunk, size * n, declared, dataStart);
      if (filled + n > values.length) {
        values = Arrays.copyOf(values, capacity(values.length, filled + n, count));
      }
      ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, size * n).order(dtype.order());
      for (int i = 0; i < n; i++) {
        long value =
            switch (size) {
              case 1 -> signed ? buffer.get() : Byte.toUnsignedLong(buffer.get());
              case 2 -> signed ? buffer.getShort() : Short.toUnsignedLong(buffer.getShort());
              case 4 -> signed ? buffer.getInt() : Integer.toUnsignedLong(buffer.getInt());
              default -> buffer.getLong();
            };
        // An unsigned 64-bit value above 2^63 reads as negative, and is out of range either way.
        boolean unsignedHuge = !signed && size == 8 && value < 0;
        if (value < 0 || value > Integer.MAX_VALUE || unsignedHuge) {
          throw error(
              what
                  + " "
                  + (unsignedHuge ? Long.toUnsignedString(value) : Long.toString(value))
                  + " of sample "
                  + (filled + i)
                  + (value < 0 && !unsignedHuge ? " is negative" : " is too large"));
        }
        values[filled + i] = (int) value;
      }
      filled += n;
    }
    expectEnd();
    return values;
  }

  /**
   * The length an array of {@code length} elements grows to so that it holds {@code needed}, at
   * most {@code count}: doubled, so a stream of unknown length costs a few copies, not one per
   * chunk.
   */
  private static int capacity(int length, int needed, int count) {
    return (int) Math.min(count, Math.max(needed, 2L * length));
  }

  /**
   * Known-length streams were checked, so the array is allocated whole; others grow as data comes.
   */
  private int initialCapacity(int count) {
    return length >= 0 ? count : Math.min(count, 1 << 20);
  }

  private void readChunk(byte[] chunk, int bytes, Declared declared, long dataStart)
      throws NumpyFormatException {
    int filled = 0;
    while (filled < bytes) {
      int n = read(chunk, filled, bytes - filled);
      if (n < 0) {
        throw truncated(declared, dataStart);
      }
      filled += n;
    }
  }

  private NumpyFormatException truncated(Declared declared, long dataStart) {
    return errorAt(
        offset,
        "truncated: the header declares "
            + declared.shapeText()
            + " "
            + declared.dtype().name()
            + " values ("
            + declared.elements() * declared.dtype().itemSize()
            + " bytes) but the data ends after "
            + (offset - dataStart));
  }

  private int read(byte[] into, int at, int count) throws NumpyFormatException {
    try {
      int n = in.read(into, at, count);
      if (n > 0) {
        offset += n;
      }
      return n;
    } catch (IOException e) {
      throw new NumpyFormatException(
          source, "read error at byte offset " + offset + ": " + e.getMessage(), e);
    }
  }

  private byte[] readExactly(int count, String what) throws NumpyFormatException {
    byte[] bytes = new byte[count];
    int filled = 0;
    while (filled < count) {
      int n = read(bytes, filled, count - filled);
      if (n < 0) {
        throw errorAt(offset, "truncated: the file ends inside " + what);
      }
      filled += n;
    }
    return bytes;
  }

  private void expectEnd() throws NumpyFormatException {
    byte[] one = new byte[1];
    if (read(one, 0, 1) > 0) {
      throw errorAt(offset - 1, "unexpected bytes after the data the header declares");
    }
  }
}
