package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.EncodedStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Growable little-endian buffer that assembles a whole file, section by section. Refuses to grow
 * past {@link ModelFile#MAX_FILE_BYTES}, so it never writes a file the reader would reject.
 */
final class ByteWriter {
  private byte[] bytes = new byte[4096];
  private int size;
  private int sectionStart = -1;

  int size() {
    return size;
  }

  byte[] toByteArray() {
    if (sectionStart >= 0) {
      throw new IllegalStateException("section still open");
    }
    return Arrays.copyOf(bytes, size);
  }

  private ByteBuffer reserve(long count) {
    long needed = size + count;
    if (needed > ModelFile.MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          "model too large: the file would exceed " + ModelFile.MAX_FILE_BYTES + " bytes");
    }
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(ModelFile.MAX_FILE_BYTES, needed * 2));
    }
    ByteBuffer window = ByteBuffer.wrap(bytes, size, (int) count).order(ByteOrder.LITTLE_ENDIAN);
    size += (int) count;
    return window;
  }

  void raw(byte[] values) {
    reserve(values.length).put(values);
  }

  void u8(int value) {
    reserve(1).put((byte) value);
  }

  void u16(int value) {
    reserve(2).putShort((short) value);
  }

  void u32(long value) {
    reserve(4).putInt((int) value);
  }

  void u64(long value) {
    reserve(8).putLong(value);
  }

  void floats(float[] values) {
    reserve(4L * values.length).asFloatBuffer().put(values);
  }

  /** A Huffman stream in its own serialised form (length table, counts, payload). */
  void encodedStream(EncodedStream stream) {
    stream.writeTo(reserve(stream.serializedSize()));
  }

  void string(String value) {
    byte[] utf8 = utf8(value);
    if (utf8.length > ModelFile.MAX_STRING_BYTES) {
      throw new IllegalArgumentException(
          "string of "
              + utf8.length
              + " UTF-8 bytes exceeds the format's limit of "
              + ModelFile.MAX_STRING_BYTES
              + ": "
              + value.substring(0, 40)
              + "…");
    }
    u16(utf8.length);
    raw(utf8);
  }

  static byte[] utf8(String value) {
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(value));
      byte[] out = new byte[encoded.remaining()];
      encoded.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string is not valid Unicode (lone surrogate?)", e);
    }
  }

  /** Writes the section header with a length to be filled in by {@link #endSection()}. */
  void beginSection(String tag, int flags) {
    if (sectionStart >= 0) {
      throw new IllegalStateException("section already open");
    }
    sectionStart = size;
    raw(tag.getBytes(StandardCharsets.US_ASCII));
    u32(flags);
    u64(0);
  }

  void endSection() {
    int payloadStart = sectionStart + ModelFile.SECTION_HEADER_BYTES;
    ByteBuffer.wrap(bytes)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(sectionStart + 8, size - payloadStart);
    int start = sectionStart;
    sectionStart = -1;
    crc32cSince(start);
  }

  /** Appends the CRC32C of everything written from {@code start} on. */
  void crc32cSince(int start) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, size - start);
    u32(crc.getValue());
  }
}
