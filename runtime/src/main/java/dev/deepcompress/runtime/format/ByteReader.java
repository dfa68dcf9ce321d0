package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian cursor over a window {@code [position, end)} of a file held in memory (a heap array
 * or a mapped file), offsets counting from the file's first byte. Every read checks the bytes that
 * remain first, so a lying length becomes a {@link ModelFormatException} naming the section and
 * offset, never an index exception or a huge allocation.
 */
final class ByteReader {
  private final ByteBuffer data;
  private final String source;
  private final int end;
  private int position;
  private String section;

  /**
   * @param file the whole file from index 0, little-endian
   */
  ByteReader(ByteBuffer file, int start, int end, String source, String section) {
    this.data = file;
    this.position = start;
    this.end = end;
    this.source = source;
    this.section = section;
  }

  int position() {
    return position;
  }

  int remaining() {
    return end - position;
  }

  /** Names the section in later errors more precisely, e.g. once a tensor's name is known. */
  void section(String section) {
    this.section = section;
  }

  ModelFormatException error(String detail) {
    return errorAt(position, detail);
  }

  ModelFormatException errorAt(long offset, String detail) {
    return new ModelFormatException(source, section, offset, detail);
  }

  /** Fails unless at least {@code count} more bytes remain; {@code what} says what needs them. */
  void require(long count, String what) throws ModelFormatException {
    if (count > remaining()) {
      throw error(what + " needs " + count + " bytes but only " + remaining() + " remain");
    }
  }

  int u8(String what) throws ModelFormatException {
    require(1, what);
    return Byte.toUnsignedInt(data.get(position++));
  }

  int u16(String what) throws ModelFormatException {
    require(2, what);
    int value = Short.toUnsignedInt(data.getShort(position));
    position += 2;
    return value;
  }

  long u32(String what) throws ModelFormatException {
    require(4, what);
    long value = Integer.toUnsignedLong(data.getInt(position));
    position += 4;
    return value;
  }

  /** Unsigned 64-bit value; callers compare it with {@link Long#compareUnsigned}. */
  long u64(String what) throws ModelFormatException {
    require(8, what);
    long value = data.getLong(position);
    position += 8;
    return value;
  }

  /** A u8 field that must lie in {@code [min, max]}. */
  int u8InRange(String what, int min, int max) throws ModelFormatException {
    int at = position;
    int value = u8(what);
    if (value < min || value > max) {
      throw errorAt(at, what + " " + value + " is outside [" + min + ", " + max + "]");
    }
    return value;
  }

  /** A u32 count or size that must lie in {@code [min, max]}. */
  int u32InRange(String what, long min, long max) throws ModelFormatException {
    int at = position;
    long value = u32(what);
    if (value < min || value > max) {
      throw errorAt(at, what + " " + value + " is outside [" + min + ", " + max + "]");
    }
    return (int) value;
  }

  /** u16 byte length, then that many bytes of well-formed UTF-8. */
  String string(String what) throws ModelFormatException {
    int at = position;
    int length = u16(what + " length");
    require(length, what);
    try {
      String value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(data.slice(position, length))
              .toString();
      position += length;
      return value;
    } catch (CharacterCodingException e) {
      throw errorAt(at, what + " is not valid UTF-8");
    }
  }

  void floats(float[] into) throws ModelFormatException {
    long bytes = 4L * into.length;
    require(bytes, into.length + " fp32 values");
    data.slice(position, (int) bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into);
    position += (int) bytes;
  }

  /**
   * A Huffman stream in its serialised form. The huffman module checks its length table and counts
   * against the bytes of this window before allocating; its error, which names the absolute byte
   * offset, becomes a ModelFormatException at the stream's start.
   */
  EncodedStream encodedStream(String what) throws ModelFormatException {
    int at = position;
    // The window's limit keeps the stream inside this payload; offsets stay absolute.
    ByteBuffer window = data.duplicate().limit(end).position(position);
    try {
      EncodedStream stream = EncodedStream.readFrom(window);
      position = window.position();
      return stream;
    } catch (HuffmanFormatException e) {
      throw errorAt(at, what + ": " + e.getMessage());
    }
  }

  /** Fails if the window has bytes nobody read: a payload must be exactly as long as declared. */
  void requireEnd() throws ModelFormatException {
    if (remaining() != 0) {
      throw error(remaining() + " unexpected bytes after the end of the payload");
    }
  }
}
