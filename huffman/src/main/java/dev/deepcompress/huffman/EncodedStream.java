package dev.deepcompress.huffman;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Huffman-coded symbol stream: its code, the number of symbols, and the payload of exactly {@code
 * payloadBits} bits in {@code ceil(payloadBits / 8)} bytes whose padding bits are zero. The payload
 * array is shared, not copied.
 *
 * <p>Serialised form: the code's length table ({@link CodeLengths#writeTo}), the symbol count as a
 * little-endian 32-bit integer, the payload bit count as a little-endian 64-bit integer, then the
 * payload bytes.
 */
public record EncodedStream(CodeLengths code, int symbolCount, long payloadBits, byte[] payload) {
  private static final int COUNTS_BYTES = Integer.BYTES + Long.BYTES;

  /**
   * @throws IllegalArgumentException if a count is negative or the payload length is not {@code
   *     ceil(payloadBits / 8)}
   */
  public EncodedStream {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(payload, "payload");
    if (symbolCount < 0 || payloadBits < 0) {
      throw new IllegalArgumentException(
          "negative count: " + symbolCount + " symbols, " + payloadBits + " bits");
    }
    if (payload.length != (payloadBits + 7) >>> 3) {
      throw new IllegalArgumentException(
          payload.length + " payload bytes cannot hold exactly " + payloadBits + " bits");
    }
  }

  /** Bytes {@link #writeTo} writes for a stream with this code and payload size. */
  public static long serializedSize(CodeLengths code, long payloadBits) {
    return code.serializedSize() + COUNTS_BYTES + ((payloadBits + 7) >>> 3);
  }

  /** Bytes {@link #writeTo} writes. */
  public long serializedSize() {
    return serializedSize(code, payloadBits);
  }

  /**
   * Writes the serialised form at the buffer's position and advances it, little-endian whatever the
   * buffer's byte order.
   *
   * @throws BufferOverflowException if fewer than {@link #serializedSize()} bytes remain
   */
  public void writeTo(ByteBuffer out) {
    if (out.remaining() < serializedSize()) {
      throw new BufferOverflowException();
    }
    code.writeTo(out);
    ByteOrder order = out.order();
    out.order(ByteOrder.LITTLE_ENDIAN).putInt(symbolCount).putLong(payloadBits).put(payload);
    out.order(order);
  }

  /**
   * Reads a serialised stream at the buffer's position and advances past it. Counts are checked
   * against the bytes that remain and against each other before the payload is allocated; the
   * payload itself is only checked by {@link HuffmanStreams#decode}.
   *
   * @throws HuffmanFormatException naming the byte offset if the table is invalid, the data is
   *     truncated, the counts are negative or inconsistent, or padding bits are set
   */
  public static EncodedStream readFrom(ByteBuffer in) throws HuffmanFormatException {
    CodeLengths code = CodeLengths.readFrom(in);
    int at = in.position();
    String where = "Huffman stream counts at byte offset " + at + ": ";
    if (in.remaining() < COUNTS_BYTES) {
      throw new HuffmanFormatException(
          where + "need " + COUNTS_BYTES + " bytes but " + in.remaining() + " remain");
    }
    ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int symbolCount = le.getInt(at);
    long payloadBits = le.getLong(at + Integer.BYTES);
    if (symbolCount < 0 || payloadBits < 0) {
      throw new HuffmanFormatException(
          where + "negative count: " + symbolCount + " symbols, " + payloadBits + " bits");
    }
    long payloadBytes = (payloadBits + 7) >>> 3;
    long remaining = in.remaining() - COUNTS_BYTES;
    if (payloadBytes > remaining) {
      throw new HuffmanFormatException(
          where + "payload of " + payloadBytes + " bytes declared but " + remaining + " remain");
    }
    if (symbolCount > payloadBits || (long) symbolCount * code.longestLength() < payloadBits) {
      throw new HuffmanFormatException(
          where
              + symbolCount
              + " symbols cannot occupy "
              + payloadBits
              + " bits with codewords of 1.."
              + code.longestLength()
              + " bits");
    }
    in.position(at + COUNTS_BYTES);
    byte[] payload = new byte[(int) payloadBytes];
    in.get(payload);
    int usedInLast = (int) (payloadBits & 7);
    if (usedInLast != 0 && (payload[payload.length - 1] & 0xFF) >>> usedInLast != 0) {
      throw new HuffmanFormatException(
          "Huffman payload at byte offset "
              + (at + COUNTS_BYTES)
              + ": padding bits of the last byte are not zero");
    }
    return new EncodedStream(code, symbolCount, payloadBits, payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedStream other
        && code.equals(other.code)
        && symbolCount == other.symbolCount
        && payloadBits == other.payloadBits
        && Arrays.equals(payload, other.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, symbolCount, payloadBits, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "EncodedStream[symbols="
        + symbolCount
        + ", payloadBits="
        + payloadBits
        + ", code="
        + code
        + "]";
  }
}
