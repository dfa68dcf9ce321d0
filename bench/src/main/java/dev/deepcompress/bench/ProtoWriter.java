package dev.deepcompress.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the protobuf wire format to write a message: varint fields (wire type 0) and
 * length-delimited fields (wire type 2: bytes, strings, nested messages), in call order. Nested
 * messages are written bottom-up, so each one's length is known when its parent writes it.
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An integer field ({@code int32}, {@code int64}, enum); negative values take ten bytes. */
  ProtoWriter varint(int field, long value) {
    tag(field, VARINT);
    writeVarint(value);
    return this;
  }

  ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    writeVarint(value.length);
    out.writeBytes(value);
    return this;
  }

  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    writeVarint((long) field << 3 | wireType);
  }

  /** Seven bits at a time, least significant group first; the high bit marks "more follows". */
  private void writeVarint(long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }
}
