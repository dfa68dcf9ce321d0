package dev.deepcompress.huffman;

import java.util.Arrays;

/**
 * Appends bit fields to a growable byte array, least significant bit first: the first bit written
 * is bit 0 of byte 0, and a field's bit 0 precedes its bit 1. With this order a reader can take the
 * next k bits of the stream as the low k bits of one little-endian word, which is what {@link
 * HuffmanDecoder}'s lookup tables are indexed by. Unused bits of the last byte are zero.
 */
public final class BitWriter {
  /** Largest field {@link #writeBits} accepts. */
  public static final int MAX_FIELD_BITS = 32;

  private byte[] bytes;
  private int byteCount;
  // Pending bits not yet stored in bytes; fewer than 32 between calls.
  private long pending;
  private int pendingBits;

  public BitWriter() {
    this(64);
  }

  /** A writer whose buffer starts with room for {@code initialCapacityBytes} bytes. */
  public BitWriter(int initialCapacityBytes) {
    if (initialCapacityBytes < 0) {
      throw new IllegalArgumentException("negative capacity " + initialCapacityBytes);
    }
    bytes = new byte[Math.max(initialCapacityBytes, 8)];
  }

  /**
   * Appends the low {@code count} bits of {@code value}, bit 0 first.
   *
   * @throws IllegalArgumentException if {@code count} is outside 0..32 or {@code value} has bits
   *     set at or above {@code count}
   */
  public void writeBits(int value, int count) {
    if (count < 0 || count > MAX_FIELD_BITS) {
      throw new IllegalArgumentException(
          "field width " + count + " is outside 0.." + MAX_FIELD_BITS);
    }
    if (count < 32 && (value >>> count) != 0) {
      throw new IllegalArgumentException("value " + value + " does not fit in " + count + " bits");
    }
    pending |= (value & 0xFFFF_FFFFL) << pendingBits;
    pendingBits += count;
    if (pendingBits >= 32) {
      ensureCapacity(4);
      int word = (int) pending;
      bytes[byteCount] = (byte) word;
      bytes[byteCount + 1] = (byte) (word >>> 8);
      bytes[byteCount + 2] = (byte) (word >>> 16);
      bytes[byteCount + 3] = (byte) (word >>> 24);
      byteCount += 4;
      pending >>>= 32;
      pendingBits -= 32;
    }
  }

  /** Number of bits written so far. */
  public long bitLength() {
    return byteCount * 8L + pendingBits;
  }

  /** The bits written so far in {@code ceil(bitLength() / 8)} bytes, padded with zero bits. */
  public byte[] toByteArray() {
    int pendingBytes = (pendingBits + 7) >>> 3;
    byte[] out = Arrays.copyOf(bytes, byteCount + pendingBytes);
    for (int i = 0; i < pendingBytes; i++) {
      out[byteCount + i] = (byte) (pending >>> (8 * i));
    }
    return out;
  }

  private void ensureCapacity(int extra) {
    if (byteCount + extra <= bytes.length) {
      return;
    }
    long wanted = Math.max((long) bytes.length * 2, (long) byteCount + extra);
    // Leave headroom below Integer.MAX_VALUE: some VMs refuse arrays right at the limit.
    long limit = Integer.MAX_VALUE - 16;
    if ((long) byteCount + extra > limit) {
      throw new IllegalStateException("bit stream exceeds " + limit + " bytes");
    }
    bytes = Arrays.copyOf(bytes, (int) Math.min(wanted, limit));
  }
}
