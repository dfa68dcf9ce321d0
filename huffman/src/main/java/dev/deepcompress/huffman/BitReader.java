package dev.deepcompress.huffman;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Reads bit fields from a byte array in the order {@link BitWriter} writes them (least significant
 * bit first). The reader is confined to a declared number of bits: {@link #peekBits} shows bits
 * past that end as zeros, and consuming them is a {@link HuffmanFormatException} naming the bit
 * offset, never an index exception.
 */
public final class BitReader {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] data;
  private final int offset;
  private final long bitLength;
  private long position;

  /** A reader over all bits of {@code data}. */
  public BitReader(byte[] data) {
    this(data, 0, data.length * 8L);
  }

  /**
   * A reader over the first {@code bitLength} bits starting at byte {@code offset} of {@code data}.
   *
   * @throws IllegalArgumentException if those bits do not lie within {@code data}
   */
  public BitReader(byte[] data, int offset, long bitLength) {
    this.data = Objects.requireNonNull(data, "data");
    if (offset < 0 || offset > data.length) {
      throw new IllegalArgumentException(
          "offset " + offset + " is outside an array of " + data.length + " bytes");
    }
    if (bitLength < 0 || bitLength > (data.length - (long) offset) * 8) {
      throw new IllegalArgumentException(
          bitLength
              + " bits do not fit in the "
              + (data.length - offset)
              + " bytes after offset "
              + offset);
    }
    this.offset = offset;
    this.bitLength = bitLength;
  }

  /** Bits consumed so far, which is also the offset of the next bit. */
  public long position() {
    return position;
  }

  /** The declared number of bits. */
  public long bitLength() {
    return bitLength;
  }

  /** Bits not yet consumed. */
  public long remaining() {
    return bitLength - position;
  }

  /**
   * The next {@code count} (0..32) bits without consuming them, the next bit in bit 0. Bits past
   * the declared end read as zero.
   */
  public int peekBits(int count) {
    checkCount(count);
    long word;
    int shift = (int) (position & 7);
    int index = offset + (int) (position >>> 3);
    if (bitLength - position >= 64) {
      // The 8 bytes at index all lie within the declared bits, hence within the array.
      word = (long) LONG_LE.get(data, index) >>> shift;
    } else {
      word = tailWord(index) >>> shift;
      long left = bitLength - position;
      if (left < 64) {
        word &= (1L << left) - 1;
      }
    }
    return (int) (word & ((1L << count) - 1));
  }

  /**
   * Consumes {@code count} (0..32) bits.
   *
   * @throws HuffmanFormatException if fewer than {@code count} bits remain
   */
  public void skipBits(int count) throws HuffmanFormatException {
    checkCount(count);
    require(count);
    position += count;
  }

  /**
   * Reads and consumes the next {@code count} (0..32) bits, the first in bit 0.
   *
   * @throws HuffmanFormatException if fewer than {@code count} bits remain
   */
  public int readBits(int count) throws HuffmanFormatException {
    checkCount(count);
    require(count);
    int value = peekBits(count);
    position += count;
    return value;
  }

  private void require(int count) throws HuffmanFormatException {
    if (count > bitLength - position) {
      throw new HuffmanFormatException(
          "bit stream ends early: "
              + count
              + " bits needed at bit offset "
              + position
              + " but only "
              + (bitLength - position)
              + " of "
              + bitLength
              + " remain");
    }
  }

  // Up to 8 bytes from index to the last byte holding declared bits, little-endian.
  private long tailWord(int index) {
    int end = offset + (int) ((bitLength + 7) >>> 3);
    int n = Math.min(8, end - index);
    long word = 0;
    for (int i = 0; i < n; i++) {
      word |= (data[index + i] & 0xFFL) << (8 * i);
    }
    return word;
  }

  private static void checkCount(int count) {
    if (count < 0 || count > BitWriter.MAX_FIELD_BITS) {
      throw new IllegalArgumentException(
          "field width " + count + " is outside 0.." + BitWriter.MAX_FIELD_BITS);
    }
  }
}
