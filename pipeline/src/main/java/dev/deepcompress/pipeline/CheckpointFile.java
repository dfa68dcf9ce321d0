package dev.deepcompress.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The file a {@link Checkpoint} is saved in (specified in docs/resume.md): a header naming the
 * stage and the settings of the run it belongs to, with their SHA-256, then the values in name
 * order, each with its own CRC32C. Little-endian; the same checkpoint gives the same bytes. Reading
 * checks every length against the bytes that remain before allocating, so a damaged or foreign file
 * is a {@link FormatException} naming the file and the offset, never a huge allocation.
 */
final class CheckpointFile {
  static final byte[] MAGIC = {(byte) 0x89, 'D', 'C', 'S', 'T', '\r', '\n', 0x1a};
  static final int MAJOR_VERSION = 1;
  static final int MINOR_VERSION = 0;

  /** Longest settings text: far above any real run's, far below what would strain memory. */
  static final int MAX_SETTINGS_BYTES = 1 << 20;

  /** Most values in one checkpoint: a few per parameter of any network this project trains. */
  static final int MAX_VALUES = 1 << 16;

  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private static final int LONG = 1;
  private static final int DOUBLE = 2;
  private static final int TEXT = 3;
  private static final int FLOATS = 4;
  private static final int INTS = 5;
  private static final int DOUBLES = 6;

  /** A file that is not a checkpoint this version reads, or that was damaged. */
  static final class FormatException extends IOException {
    FormatException(String source, long offset, String detail) {
      super(source + ": byte " + offset + ": " + detail);
    }
  }

  /** What a file holds: the stage, the settings of its run, and the values. */
  record Contents(String stage, String settings, Checkpoint checkpoint) {}

  private CheckpointFile() {}

  static byte[] encode(String stage, String settings, Checkpoint checkpoint) {
    byte[] settingsText = settings.getBytes(StandardCharsets.UTF_8);
    byte[] stageText = stage.getBytes(StandardCharsets.UTF_8);
    if (settingsText.length > MAX_SETTINGS_BYTES || stageText.length > 0xffff) {
      throw new IllegalArgumentException("settings text too long for a checkpoint file");
    }
    Map<String, Object> values = checkpoint.values();
    if (values.size() > MAX_VALUES) {
      throw new IllegalArgumentException("more than " + MAX_VALUES + " values in a checkpoint");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header =
        ByteBuffer.allocate(8 + 4 + 2 + stageText.length + 4 + settingsText.length + 32 + 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putShort((short) MAJOR_VERSION).putShort((short) MINOR_VERSION);
    header.putShort((short) stageText.length).put(stageText);
    header.putInt(settingsText.length).put(settingsText).put(RunSettings.sha256(settingsText));
    header.putInt(values.size());
    writeWithCrc(out, header.array());
    values.forEach((name, value) -> writeWithCrc(out, entry(name, value)));
    return out.toByteArray();
  }

  private static byte[] entry(String name, Object value) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    int kind;
    int count;
    int elementBytes;
    switch (value) {
      case Long l -> {
        kind = LONG;
        count = 1;
        elementBytes = 8;
      }
      case Double d -> {
        kind = DOUBLE;
        count = 1;
        elementBytes = 8;
      }
      case String s -> {
        kind = TEXT;
        count = s.getBytes(StandardCharsets.UTF_8).length;
        elementBytes = 1;
      }
      case float[] f -> {
        kind = FLOATS;
        count = f.length;
        elementBytes = 4;
      }
      case int[] i -> {
        kind = INTS;
        count = i.length;
        elementBytes = 4;
      }
      case double[] d -> {
        kind = DOUBLES;
        count = d.length;
        elementBytes = 8;
      }
      default -> throw new IllegalStateException("not a checkpoint value: " + value.getClass());
    }
    long size = 1L + nameBytes.length + 1 + 4 + (long) count * elementBytes;
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("checkpoint value " + name + " is too large");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) nameBytes.length).put(nameBytes).put((byte) kind).putInt(count);
    switch (value) {
      case Long l -> b.putLong(l);
      case Double d -> b.putDouble(d);
      case String s -> b.put(s.getBytes(StandardCharsets.UTF_8));
      case float[] f -> b.asFloatBuffer().put(f);
      case int[] i -> b.asIntBuffer().put(i);
      case double[] d -> b.asDoubleBuffer().put(d);
      default -> throw new IllegalStateException();
    }
    return b.array();
  }

  private static void writeWithCrc(ByteArrayOutputStream out, byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    out.writeBytes(bytes);
    out.writeBytes(
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
  }

  /**
   * Reads a checkpoint file's bytes.
   *
   * @param source the file's name, for messages
   * @throws FormatException saying what is wrong and at which byte
   */
  static Contents decode(byte[] bytes, String source) throws FormatException {
    Reader in = new Reader(bytes, source);
    try {
      byte[] magic = new byte[MAGIC.length];
      in.buffer.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw in.error(0, "not a deepcompress checkpoint (wrong magic)");
      }
      int major = Short.toUnsignedInt(in.buffer.getShort());
      int minor = Short.toUnsignedInt(in.buffer.getShort());
      if (major != MAJOR_VERSION) {
        throw in.error(8, "checkpoint version " + major + "." + minor + ", this reads 1.x");
      }
      String stage = in.text(Short.toUnsignedInt(in.buffer.getShort()), "stage name");
      int settingsLength = in.count(MAX_SETTINGS_BYTES, 1, "settings text");
      String settings = in.text(settingsLength, "settings text");
      byte[] digest = new byte[32];
      in.buffer.get(digest);
      int count = in.count(MAX_VALUES, 0, "value count");
      in.checkCrc(0, "header");
      if (!Arrays.equals(digest, RunSettings.sha256(settings.getBytes(StandardCharsets.UTF_8)))) {
        throw in.error(in.buffer.position() - 40, "settings do not match their SHA-256");
      }
      Checkpoint checkpoint = new Checkpoint();
      String previous = "";
      for (int v = 0; v < count; v++) {
        int start = in.buffer.position();
        String name = in.name();
        if (name.compareTo(previous) <= 0) {
          throw in.error(start, "value " + name + " is out of name order or repeated");
        }
        previous = name;
        int kind = Byte.toUnsignedInt(in.buffer.get());
        switch (kind) {
          case LONG -> checkpoint.putLong(name, in.single(name).getLong());
          case DOUBLE -> checkpoint.putDouble(name, in.single(name).getDouble());
          case TEXT ->
              checkpoint.putString(name, in.text(in.count(Integer.MAX_VALUE, 1, name), name));
          case FLOATS -> {
            float[] values = new float[in.count(Integer.MAX_VALUE, 4, name)];
            in.buffer.asFloatBuffer().get(values);
            in.skip(4L * values.length);
            checkpoint.putFloats(name, values);
          }
          case INTS -> {
            int[] values = new int[in.count(Integer.MAX_VALUE, 4, name)];
            in.buffer.asIntBuffer().get(values);
            in.skip(4L * values.length);
            checkpoint.putInts(name, values);
          }
          case DOUBLES -> {
            double[] values = new double[in.count(Integer.MAX_VALUE, 8, name)];
            in.buffer.asDoubleBuffer().get(values);
            in.skip(8L * values.length);
            checkpoint.putDoubles(name, values);
          }
          default -> throw in.error(start, "value " + name + " has unknown kind " + kind);
        }
        in.checkCrc(start, "value " + name);
      }
      if (in.buffer.hasRemaining()) {
        throw in.error(in.buffer.position(), in.buffer.remaining() + " bytes after the last value");
      }
      return new Contents(stage, settings, checkpoint);
    } catch (BufferUnderflowException e) {
      throw in.error(in.buffer.position(), "file ends early: truncated");
    }
  }

  /** A cursor that checks each declared size against the bytes that remain. */
  private static final class Reader {
    final ByteBuffer buffer;
    final String source;

    Reader(byte[] bytes, String source) {
      this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      this.source = source;
    }

    FormatException error(long offset, String detail) {
      return new FormatException(source, offset, detail);
    }

    /** A u32 count of elements of {@code elementBytes} each, at most {@code max}, all present. */
    int count(int max, int elementBytes, String what) throws FormatException {
      int at = buffer.position();
      long count = Integer.toUnsignedLong(buffer.getInt());
      if (count > max) {
        throw error(at, what + ": " + count + " is above the limit of " + max);
      }
      if (count * elementBytes > buffer.remaining()) {
        throw error(
            at,
            what + " needs " + count * elementBytes + " bytes, " + buffer.remaining() + " remain");
      }
      return (int) count;
    }

    /** The count of a one-element value (must be 1) and the buffer at its payload. */
    ByteBuffer single(String name) throws FormatException {
      int at = buffer.position();
      if (count(1, 8, name) != 1) {
        throw error(at, name + " must hold one value");
      }
      return buffer;
    }

    void skip(long bytes) {
      buffer.position(buffer.position() + (int) bytes);
    }

    String name() throws FormatException {
      int at = buffer.position();
      int length = Byte.toUnsignedInt(buffer.get());
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      String name = new String(bytes, StandardCharsets.US_ASCII);
      try {
        Checkpoint.requireValidName(name);
      } catch (IllegalArgumentException e) {
        throw error(at, "a value's name is not 1-255 printable ASCII characters");
      }
      return name;
    }

    String text(int length, String what) throws FormatException {
      int at = buffer.position();
      if (length > buffer.remaining()) {
        throw error(at, what + " runs past the end of the file");
      }
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      // Decoding replaces what is not UTF-8; well-formed text encodes back to the same bytes.
      if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
        throw error(at, what + " is not valid UTF-8");
      }
      return text;
    }

    /** Checks the CRC32C that follows the bytes from {@code start} to here. */
    void checkCrc(int start, String what) throws FormatException {
      int end = buffer.position();
      long stored = Integer.toUnsignedLong(buffer.getInt());
      CRC32C crc = new CRC32C();
      crc.update(buffer.array(), start, end - start);
      if (crc.getValue() != stored) {
        throw error(start, what + ": CRC mismatch (the file is damaged)");
      }
    }
  }
}
