package dev.deepcompress.huffman;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HuffmanStreamsTest {

  @Test
  void streamsRoundTripThroughTheirSerialisedForm() {
    Trials.run(
        200,
        t ->
            streamsRoundTripThroughTheirSerialisedForm(
                t.between(1, 256), t.anyLong(), t.between(0, 5000), t.between(1.0, 30.0)));
  }

  private static void streamsRoundTripThroughTheirSerialisedForm(
      int alphabet, long seed, int count, double skew) throws HuffmanFormatException {
    int[] symbols = Reference.skewedSymbols(seed, alphabet, count, skew);
    EncodedStream stream = HuffmanStreams.encode(symbols, alphabet);
    assertEquals(HuffmanStreams.encodedBits(symbols, alphabet), stream.payloadBits());
    assertEquals(
        EncodedStream.serializedSize(
            CodeLengths.fromFrequencies(HuffmanStreams.histogram(symbols, alphabet)),
            HuffmanStreams.encodedBits(symbols, alphabet)),
        stream.serializedSize());
    // Writing must not depend on the buffer's byte order.
    ByteBuffer buffer = ByteBuffer.allocate((int) stream.serializedSize() + 3);
    buffer.order(ByteOrder.BIG_ENDIAN).position(3);
    stream.writeTo(buffer);
    assertEquals(0, buffer.remaining());
    assertEquals(ByteOrder.BIG_ENDIAN, buffer.order());
    buffer.position(3);
    EncodedStream read = EncodedStream.readFrom(buffer);
    assertEquals(stream, read);
    assertEquals(0, buffer.remaining());
    assertArrayEquals(symbols, HuffmanStreams.decode(read));
  }

  @Test
  void compressesASkewedStreamBelowItsFixedWidth() throws HuffmanFormatException {
    int[] symbols = Reference.skewedSymbols(7, 32, 100_000, 4);
    EncodedStream stream = HuffmanStreams.encode(symbols, 32);
    assertTrue(stream.payloadBits() < 5L * symbols.length, stream.payloadBits() + " bits");
    assertArrayEquals(symbols, HuffmanStreams.decode(stream));
  }

  @Test
  void emptyStreamRoundTrips() throws HuffmanFormatException {
    EncodedStream stream = HuffmanStreams.encode(new int[0], 16);
    assertEquals(0, stream.payloadBits());
    assertEquals(0, stream.code().usedSymbols());
    ByteBuffer buffer = ByteBuffer.allocate((int) stream.serializedSize());
    stream.writeTo(buffer);
    assertArrayEquals(new int[0], HuffmanStreams.decode(EncodedStream.readFrom(buffer.flip())));
  }

  @Test
  void histogramNamesSymbolsOutsideTheAlphabet() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HuffmanStreams.histogram(new int[] {0, 1, 4, 2}, 4));
    assertTrue(e.getMessage().contains("symbol 4 at index 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HuffmanStreams.histogram(new int[0], 0));
    assertThrows(
        IllegalArgumentException.class, () -> HuffmanStreams.encode(new int[] {0, 1, 2}, 3, 1));
  }

  @Test
  void everyTruncationIsAFormatError() {
    Trials.run(
        50, t -> everyTruncationIsAFormatError(t.anyLong(), t.between(1, 20), t.between(0, 100)));
  }

  private static void everyTruncationIsAFormatError(long seed, int alphabet, int count) {
    byte[] bytes =
        serialize(
            HuffmanStreams.encode(Reference.skewedSymbols(seed, alphabet, count, 3), alphabet));
    for (int length = 0; length < bytes.length; length++) {
      ByteBuffer truncated = ByteBuffer.wrap(bytes, 0, length);
      assertThrows(HuffmanFormatException.class, () -> EncodedStream.readFrom(truncated));
    }
  }

  @Test
  void rejectsInconsistentCounts() {
    // Code 1, 1: table bytes 02 00 01 03; then symbol count and payload bit count.
    assertCountsError(counts(-1, 0), "negative count");
    assertCountsError(counts(0, -8), "negative count");
    assertCountsError(counts(1, Long.MAX_VALUE), "bytes declared");
    assertCountsError(counts(Integer.MAX_VALUE, 8, (byte) 0), "cannot occupy");
    assertCountsError(counts(2, 8, (byte) 0), "cannot occupy");
    var padding =
        assertThrows(
            HuffmanFormatException.class,
            () -> EncodedStream.readFrom(ByteBuffer.wrap(counts(3, 3, (byte) 0b1000))));
    assertTrue(padding.getMessage().contains("padding"), padding.getMessage());
  }

  @Test
  void leftoverPayloadBitsAreAFormatError() {
    // Codewords 0, 10, 11: one symbol '0' followed by two stray bits.
    EncodedStream stream = new EncodedStream(CodeLengths.of(1, 2, 2), 1, 3, new byte[] {0});
    var e = assertThrows(HuffmanFormatException.class, () -> HuffmanStreams.decode(stream));
    assertTrue(e.getMessage().contains("left over"), e.getMessage());
  }

  private static byte[] counts(int symbols, long bits, byte... payload) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + 12 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(new byte[] {2, 0, 0x01, 0x03}).putInt(symbols).putLong(bits).put(payload);
    return buffer.array();
  }

  private static void assertCountsError(byte[] bytes, String expected) {
    var e =
        assertThrows(
            HuffmanFormatException.class, () -> EncodedStream.readFrom(ByteBuffer.wrap(bytes)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains("byte offset 4"), e.getMessage());
  }

  private static byte[] serialize(EncodedStream stream) {
    ByteBuffer buffer = ByteBuffer.allocate((int) stream.serializedSize());
    stream.writeTo(buffer);
    return Arrays.copyOf(buffer.array(), buffer.position());
  }
}
