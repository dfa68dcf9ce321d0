package dev.deepcompress.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One protobuf message being written with protobuf-java's {@link CodedOutputStream}, fields in call
 * order. Embedded messages are complete before their parent writes them, as length-delimited
 * fields, so every length is known when it is written.
 */
final class ProtoMessage {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  /** An int64, int32 or enum field (a varint; negative values take ten bytes). */
  ProtoMessage int64(int field, long value) {
    try {
      out.writeInt64(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoMessage float32(int field, float value) {
    try {
      out.writeFloat(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoMessage string(int field, String value) {
    try {
      out.writeString(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoMessage bytes(int field, byte[] value) {
    try {
      out.writeByteArray(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoMessage message(int field, ProtoMessage message) {
    return bytes(field, message.toByteArray());
  }

  byte[] toByteArray() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
