package dev.deepcompress.huffman;

import java.util.Objects;

/**
 * Writes symbols as their canonical codewords. Each codeword goes into the stream first bit first;
 * because {@link BitWriter} fills bytes from the least significant bit, the encoder keeps every
 * codeword bit-reversed and writes it as one field.
 */
public final class HuffmanEncoder {
  private final CodeLengths code;
  private final int[] reversedCodes;
  private final int[] lengths;

  public HuffmanEncoder(CodeLengths code) {
    this.code = Objects.requireNonNull(code, "code");
    this.lengths = code.lengths();
    int[] codes = code.canonicalCodes();
    this.reversedCodes = new int[codes.length];
    for (int s = 0; s < codes.length; s++) {
      if (lengths[s] != 0) {
        reversedCodes[s] = Integer.reverse(codes[s]) >>> (32 - lengths[s]);
      }
    }
  }

  /** The code this encoder writes. */
  public CodeLengths code() {
    return code;
  }

  /**
   * Appends the codewords of {@code symbols[from..to)} to {@code out}.
   *
   * @throws IllegalArgumentException naming the symbol and its index if a symbol is outside the
   *     alphabet or has no codeword; the symbols before it have then already been written
   */
  public void encode(int[] symbols, int from, int to, BitWriter out) {
    Objects.checkFromToIndex(from, to, symbols.length);
    for (int i = from; i < to; i++) {
      int s = symbols[i];
      checkSymbol(s, i);
      out.writeBits(reversedCodes[s], lengths[s]);
    }
  }

  /**
   * Number of bits {@link #encode} would write for {@code symbols[from..to)}.
   *
   * @throws IllegalArgumentException as {@link #encode} does
   */
  public long encodedBits(int[] symbols, int from, int to) {
    Objects.checkFromToIndex(from, to, symbols.length);
    long bits = 0;
    for (int i = from; i < to; i++) {
      int s = symbols[i];
      checkSymbol(s, i);
      bits += lengths[s];
    }
    return bits;
  }

  private void checkSymbol(int symbol, int index) {
    if (symbol < 0 || symbol >= lengths.length) {
      throw new IllegalArgumentException(
          "symbol "
              + symbol
              + " at index "
              + index
              + " is outside the alphabet 0.."
              + (lengths.length - 1));
    }
    if (lengths[symbol] == 0) {
      throw new IllegalArgumentException(
          "symbol " + symbol + " at index " + index + " has no codeword in this code");
    }
  }
}
