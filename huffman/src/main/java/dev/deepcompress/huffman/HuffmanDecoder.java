package dev.deepcompress.huffman;

import java.util.Objects;

/**
 * Table-driven decoder for a canonical code. The next {@code K = min(longest, 10)} stream bits
 * index a primary table whose entry gives the symbol and codeword length directly, or, for the few
 * codewords longer than K, points to a secondary table indexed by the following bits. Every entry
 * is resolved by at most two lookups; patterns that are no codeword map to an invalid entry.
 */
public final class HuffmanDecoder {
  /** Width of the primary table index. */
  static final int PRIMARY_BITS = 10;

  // Entry layouts: symbol << 16 | length (length 1..15) for a codeword; subtableStart << 16 |
  // SUBTABLE | subtableBits for a pointer; 0 for a pattern that is no codeword.
  private static final int SUBTABLE = 0x8000;
  private static final int LOW_MASK = 0x1F;

  private final CodeLengths code;
  private final int primaryBits;
  private final int[] table;

  public HuffmanDecoder(CodeLengths code) {
    this.code = Objects.requireNonNull(code, "code");
    int[] lengths = code.lengths();
    int[] codes = code.canonicalCodes();
    int k = Math.min(code.longestLength(), PRIMARY_BITS);
    int primarySize = 1 << k;
    int primaryMask = primarySize - 1;
    int[] reversed = new int[lengths.length];
    int[] subtableBits = new int[primarySize];
    for (int s = 0; s < lengths.length; s++) {
      if (lengths[s] != 0) {
        reversed[s] = Integer.reverse(codes[s]) >>> (32 - lengths[s]);
        if (lengths[s] > k) {
          int slot = reversed[s] & primaryMask;
          subtableBits[slot] = Math.max(subtableBits[slot], lengths[s] - k);
        }
      }
    }
    int size = primarySize;
    int[] subtableStart = new int[primarySize];
    for (int slot = 0; slot < primarySize; slot++) {
      if (subtableBits[slot] > 0) {
        subtableStart[slot] = size;
        size += 1 << subtableBits[slot];
      }
    }
    int[] t = new int[size];
    for (int slot = 0; slot < primarySize; slot++) {
      if (subtableBits[slot] > 0) {
        t[slot] = subtableStart[slot] << 16 | SUBTABLE | subtableBits[slot];
      }
    }
    for (int s = 0; s < lengths.length; s++) {
      int length = lengths[s];
      if (length == 0) {
        continue;
      }
      int entry = s << 16 | length;
      if (length <= k) {
        // Every index whose low `length` bits are the codeword decodes to s.
        for (int i = reversed[s]; i < primarySize; i += 1 << length) {
          t[i] = entry;
        }
      } else {
        int slot = reversed[s] & primaryMask;
        int extra = length - k;
        for (int i = reversed[s] >>> k; i < 1 << subtableBits[slot]; i += 1 << extra) {
          t[subtableStart[slot] + i] = entry;
        }
      }
    }
    this.primaryBits = k;
    this.table = t;
  }

  /** The code this decoder reads. */
  public CodeLengths code() {
    return code;
  }

  /**
   * Decodes {@code count} symbols from {@code in} into {@code dst[offset..offset+count)}.
   *
   * @throws HuffmanFormatException naming the bit offset if the bits run out inside a codeword,
   *     fewer bits remain than symbols are wanted, a bit pattern is no codeword, or symbols are
   *     wanted from a code without any
   */
  public void decode(BitReader in, int[] dst, int offset, int count) throws HuffmanFormatException {
    Objects.checkFromIndexSize(offset, count, dst.length);
    if (count == 0) {
      return;
    }
    if (code.usedSymbols() == 0) {
      throw new HuffmanFormatException(
          count
              + " symbols wanted at bit offset "
              + in.position()
              + " from a code without symbols");
    }
    if (count > in.remaining()) {
      throw new HuffmanFormatException(
          count
              + " symbols wanted at bit offset "
              + in.position()
              + " but only "
              + in.remaining()
              + " bits remain (every codeword has at least 1 bit)");
    }
    int k = primaryBits;
    int[] t = table;
    for (int i = 0; i < count; i++) {
      int entry = t[in.peekBits(k)];
      if ((entry & SUBTABLE) != 0) {
        entry = t[(entry >>> 16) + (in.peekBits(k + (entry & LOW_MASK)) >>> k)];
      }
      int length = entry & LOW_MASK;
      if (length == 0 || length > in.remaining()) {
        throw new HuffmanFormatException(
            (length == 0 ? "bits match no codeword" : "bit stream ends inside a codeword")
                + " at bit offset "
                + in.position()
                + " ("
                + in.remaining()
                + " bits remain, symbol "
                + i
                + " of "
                + count
                + ")");
      }
      in.skipBits(length);
      dst[offset + i] = entry >>> 16;
    }
  }

  /**
   * Decodes a whole stream: exactly {@code count} symbols that occupy exactly the first {@code
   * bitLength} bits of {@code payload}.
   *
   * @throws HuffmanFormatException if the counts are inconsistent with the payload (checked before
   *     anything is allocated), the stream is corrupt as for {@link #decode(BitReader, int[], int,
   *     int)}, or bits are left over after the last symbol
   */
  public int[] decode(byte[] payload, long bitLength, int count) throws HuffmanFormatException {
    if (bitLength < 0 || bitLength > payload.length * 8L) {
      throw new HuffmanFormatException(
          "declared " + bitLength + " bits but the payload holds " + payload.length * 8L);
    }
    if (count < 0 || count > bitLength) {
      throw new HuffmanFormatException(
          "declared "
              + count
              + " symbols in "
              + bitLength
              + " bits (every codeword has 1..15 bits)");
    }
    BitReader in = new BitReader(payload, 0, bitLength);
    int[] symbols = new int[count];
    decode(in, symbols, 0, count);
    if (in.remaining() != 0) {
      throw new HuffmanFormatException(
          in.remaining()
              + " bits left over at bit offset "
              + in.position()
              + " after "
              + count
              + " symbols");
    }
    return symbols;
  }
}
