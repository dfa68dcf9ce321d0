package dev.deepcompress.huffman;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HuffmanCodecTest {

  @Test
  void anySymbolSequenceRoundTrips() {
    Trials.run(
        400,
        t ->
            anySymbolSequenceRoundTrips(
                t.between(1, 256),
                t.anyLong(),
                t.between(0, 5000),
                t.between(1.0, 30.0),
                t.between(1, 15)));
  }

  private static void anySymbolSequenceRoundTrips(
      int alphabet, long seed, int count, double skew, int limit) throws HuffmanFormatException {
    int[] symbols = Reference.skewedSymbols(seed, alphabet, count, skew);
    long[] counts = HuffmanStreams.histogram(symbols, alphabet);
    int effectiveLimit = Reference.feasibleLimit(counts, limit);
    CodeLengths code = CodeLengths.fromFrequencies(counts, effectiveLimit);
    HuffmanEncoder encoder = new HuffmanEncoder(code);
    BitWriter out = new BitWriter();
    encoder.encode(symbols, 0, count, out);
    assertEquals(code.encodedBits(counts), out.bitLength());
    assertEquals(out.bitLength(), encoder.encodedBits(symbols, 0, count));
    byte[] payload = out.toByteArray();
    int[] decoded = new HuffmanDecoder(code).decode(payload, out.bitLength(), count);
    assertArrayEquals(symbols, decoded);
    assertArrayEquals(Reference.naiveDecode(code, payload, out.bitLength(), count), decoded);
  }

  @Test
  void longCodesUseSecondaryTables() throws HuffmanFormatException {
    long[] frequencies = Reference.fibonacci(30);
    CodeLengths code = CodeLengths.fromFrequencies(frequencies, 15);
    assertTrue(code.longestLength() > HuffmanDecoder.PRIMARY_BITS);
    // Every symbol several times, in a scrambled order.
    int[] symbols = new int[30 * 7];
    Random random = new Random(1);
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = random.nextInt(30);
    }
    BitWriter out = new BitWriter();
    new HuffmanEncoder(code).encode(symbols, 0, symbols.length, out);
    byte[] payload = out.toByteArray();
    assertArrayEquals(
        symbols, new HuffmanDecoder(code).decode(payload, out.bitLength(), symbols.length));
  }

  @Test
  void decodesIntoARangeAndContinuesWhereItStopped() throws HuffmanFormatException {
    CodeLengths code = CodeLengths.of(1, 2, 3, 3);
    int[] symbols = {3, 0, 1, 2, 2, 0};
    BitWriter out = new BitWriter();
    new HuffmanEncoder(code).encode(symbols, 1, 5, out);
    BitReader in = new BitReader(out.toByteArray(), 0, out.bitLength());
    int[] dst = new int[6];
    HuffmanDecoder decoder = new HuffmanDecoder(code);
    decoder.decode(in, dst, 2, 1);
    decoder.decode(in, dst, 3, 3);
    assertArrayEquals(new int[] {0, 0, 0, 1, 2, 2}, dst);
    assertEquals(0, in.remaining());
  }

  @Test
  void encoderNamesASymbolWithoutCode() {
    HuffmanEncoder encoder = new HuffmanEncoder(CodeLengths.of(1, 1, 0, 0));
    var noCode =
        assertThrows(
            IllegalArgumentException.class,
            () -> encoder.encode(new int[] {0, 3}, 0, 2, new BitWriter()));
    assertTrue(noCode.getMessage().contains("symbol 3 at index 1"), noCode.getMessage());
    var outside =
        assertThrows(
            IllegalArgumentException.class, () -> encoder.encodedBits(new int[] {-1}, 0, 1));
    assertTrue(outside.getMessage().contains("symbol -1"), outside.getMessage());
  }

  @Test
  void truncatedPayloadIsAFormatError() {
    CodeLengths code = CodeLengths.of(1, 2, 3, 3);
    BitWriter out = new BitWriter();
    new HuffmanEncoder(code).encode(new int[] {0, 3, 3}, 0, 3, out);
    byte[] payload = out.toByteArray();
    var e =
        assertThrows(
            HuffmanFormatException.class,
            () -> new HuffmanDecoder(code).decode(payload, out.bitLength() - 1, 3));
    assertTrue(e.getMessage().contains("ends inside a codeword at bit offset 4"), e.getMessage());
  }

  @Test
  void leftoverBitsAreAFormatError() {
    CodeLengths code = CodeLengths.of(1, 1);
    var e =
        assertThrows(
            HuffmanFormatException.class,
            () -> new HuffmanDecoder(code).decode(new byte[] {0}, 3, 2));
    assertTrue(e.getMessage().contains("1 bits left over at bit offset 2"), e.getMessage());
  }

  @Test
  void patternOutsideAnIncompleteCodeIsAFormatError() throws HuffmanFormatException {
    // The one-symbol code has the single codeword 0.
    HuffmanDecoder decoder = new HuffmanDecoder(CodeLengths.of(0, 1));
    assertArrayEquals(new int[] {1, 1}, decoder.decode(new byte[] {0}, 2, 2));
    var e =
        assertThrows(HuffmanFormatException.class, () -> decoder.decode(new byte[] {0b100}, 3, 3));
    assertTrue(e.getMessage().contains("no codeword at bit offset 2"), e.getMessage());
  }

  @Test
  void countsInconsistentWithThePayloadFailBeforeAllocating() {
    HuffmanDecoder decoder = new HuffmanDecoder(CodeLengths.of(1, 1));
    assertThrows(
        HuffmanFormatException.class, () -> decoder.decode(new byte[1], 8, Integer.MAX_VALUE));
    assertThrows(HuffmanFormatException.class, () -> decoder.decode(new byte[1], 9, 1));
    assertThrows(HuffmanFormatException.class, () -> decoder.decode(new byte[1], 8, -1));
    var empty =
        assertThrows(
            HuffmanFormatException.class,
            () -> new HuffmanDecoder(CodeLengths.of(0, 0)).decode(new byte[1], 8, 1));
    assertTrue(empty.getMessage().contains("without symbols"), empty.getMessage());
  }

  @Test
  void corruptPayloadsFailOnlyWithFormatErrors() {
    Trials.run(
        300,
        t ->
            corruptPayloadsFailOnlyWithFormatErrors(
                t.anyLong(), t.between(1, 40), t.between(1, 300), t.between(1, 15)));
  }

  private static void corruptPayloadsFailOnlyWithFormatErrors(
      long seed, int alphabet, int count, int limit) {
    Random random = new Random(seed);
    int[] symbols = Reference.skewedSymbols(seed, alphabet, count, 1 + random.nextDouble() * 20);
    long[] counts = HuffmanStreams.histogram(symbols, alphabet);
    int effectiveLimit = Reference.feasibleLimit(counts, limit);
    CodeLengths code = CodeLengths.fromFrequencies(counts, effectiveLimit);
    BitWriter out = new BitWriter();
    new HuffmanEncoder(code).encode(symbols, 0, count, out);
    byte[] payload = out.toByteArray();
    for (int i = 0; i < 4; i++) {
      payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
    }
    long bits = random.nextLong(payload.length * 8L + 1);
    int wanted = random.nextInt(count + 2);
    try {
      int[] decoded = new HuffmanDecoder(code).decode(payload, bits, wanted);
      assertEquals(wanted, decoded.length);
      assertArrayEquals(Reference.naiveDecode(code, payload, bits, wanted), decoded);
    } catch (HuffmanFormatException expected) {
      assertTrue(expected.getMessage().contains("bit"), expected.getMessage());
    }
  }
}
