package dev.deepcompress.huffman;

import java.util.Objects;

/**
 * One-call Huffman coding of a symbol stream, as the model file writer and reader use it: build the
 * optimal length-limited code for the stream's own histogram, encode, and decode.
 */
public final class HuffmanStreams {
  private HuffmanStreams() {}

  /**
   * Occurrences of each symbol of {@code 0..alphabetSize-1} in {@code symbols}.
   *
   * @throws IllegalArgumentException if the alphabet size is outside 1..{@link
   *     CodeLengths#MAX_ALPHABET_SIZE} or a symbol lies outside the alphabet (naming it and its
   *     index)
   */
  public static long[] histogram(int[] symbols, int alphabetSize) {
    Objects.requireNonNull(symbols, "symbols");
    if (alphabetSize < 1 || alphabetSize > CodeLengths.MAX_ALPHABET_SIZE) {
      throw new IllegalArgumentException(
          "alphabet size " + alphabetSize + " is outside 1.." + CodeLengths.MAX_ALPHABET_SIZE);
    }
    long[] counts = new long[alphabetSize];
    for (int i = 0; i < symbols.length; i++) {
      int s = symbols[i];
      if (s < 0 || s >= alphabetSize) {
        throw new IllegalArgumentException(
            "symbol " + s + " at index " + i + " is outside the alphabet 0.." + (alphabetSize - 1));
      }
      counts[s]++;
    }
    return counts;
  }

  /** {@link #encode(int[], int, int)} with codewords of at most 15 bits. */
  public static EncodedStream encode(int[] symbols, int alphabetSize) {
    return encode(symbols, alphabetSize, CodeLengths.MAX_CODE_LENGTH);
  }

  /**
   * Encodes {@code symbols} with the optimal code for their histogram whose codewords have at most
   * {@code maxCodeLength} bits.
   *
   * @throws IllegalArgumentException as {@link #histogram} and {@link
   *     CodeLengths#fromFrequencies(long[], int)} do
   */
  public static EncodedStream encode(int[] symbols, int alphabetSize, int maxCodeLength) {
    long[] counts = histogram(symbols, alphabetSize);
    CodeLengths code = CodeLengths.fromFrequencies(counts, maxCodeLength);
    long bits = code.encodedBits(counts);
    BitWriter out = new BitWriter((int) Math.min((bits + 7) >>> 3, Integer.MAX_VALUE - 16));
    new HuffmanEncoder(code).encode(symbols, 0, symbols.length, out);
    return new EncodedStream(code, symbols.length, out.bitLength(), out.toByteArray());
  }

  /** {@link #encodedBits(int[], int, int)} with codewords of at most 15 bits. */
  public static long encodedBits(int[] symbols, int alphabetSize) {
    return encodedBits(symbols, alphabetSize, CodeLengths.MAX_CODE_LENGTH);
  }

  /**
   * The exact {@link EncodedStream#payloadBits()} that {@link #encode(int[], int, int)} would
   * produce, computed from the histogram without encoding.
   */
  public static long encodedBits(int[] symbols, int alphabetSize, int maxCodeLength) {
    long[] counts = histogram(symbols, alphabetSize);
    return CodeLengths.fromFrequencies(counts, maxCodeLength).encodedBits(counts);
  }

  /**
   * Decodes all symbols of {@code stream}.
   *
   * @throws HuffmanFormatException naming the bit offset in the payload if it is corrupt,
   *     truncated, or has bits left over after the last symbol
   */
  public static int[] decode(EncodedStream stream) throws HuffmanFormatException {
    return new HuffmanDecoder(stream.code())
        .decode(stream.payload(), stream.payloadBits(), stream.symbolCount());
  }
}
