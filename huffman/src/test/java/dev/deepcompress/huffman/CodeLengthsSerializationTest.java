package dev.deepcompress.huffman;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CodeLengthsSerializationTest {

  @Test
  void smallTableIsPacked() throws HuffmanFormatException {
    // 4 symbols, longest 3 so 2-bit fields: 2, 1, 3, 3 packed LSB first = 0b11_11_01_10.
    byte[] bytes = serialize(CodeLengths.of(2, 1, 3, 3));
    assertArrayEquals(new byte[] {4, 0, 0x03, (byte) 0xF6}, bytes);
    assertEquals(CodeLengths.of(2, 1, 3, 3), CodeLengths.readFrom(ByteBuffer.wrap(bytes)));
  }

  @Test
  void flatTableIsOneRun() throws HuffmanFormatException {
    int[] lengths = new int[256];
    Arrays.fill(lengths, 8);
    // Mode 1, longest 8; body: field 8 in 4 bits, then run 256 = 8 zeros, a one, 8 zero bits.
    byte[] bytes = serialize(CodeLengths.of(lengths));
    assertArrayEquals(new byte[] {0, 1, 0x18, 0x08, 0x10, 0}, bytes);
    assertEquals(CodeLengths.of(lengths), CodeLengths.readFrom(ByteBuffer.wrap(bytes)));
  }

  @Test
  void roundTripsAndReportsItsSize() {
    Trials.run(
        300,
        t ->
            roundTripsAndReportsItsSize(
                t.between(1, 300),
                t.anyLong(),
                t.between(0, 3000),
                t.between(1.0, 20.0),
                t.between(0, 5)));
  }

  private static void roundTripsAndReportsItsSize(
      int alphabet, long seed, int count, double skew, int before) throws HuffmanFormatException {
    int[] symbols = Reference.skewedSymbols(seed, alphabet, count, skew);
    CodeLengths code = CodeLengths.fromFrequencies(HuffmanStreams.histogram(symbols, alphabet));
    // Surrounding bytes must be neither read nor written.
    ByteBuffer buffer = ByteBuffer.allocate(before + code.serializedSize() + 4);
    Arrays.fill(buffer.array(), (byte) 0x5A);
    buffer.position(before);
    code.writeTo(buffer);
    assertEquals(before + code.serializedSize(), buffer.position());
    for (ByteBuffer view :
        new ByteBuffer[] {buffer.duplicate(), buffer.asReadOnlyBuffer(), copyToDirect(buffer)}) {
      view.position(before);
      assertEquals(code, CodeLengths.readFrom(view));
      assertEquals(before + code.serializedSize(), view.position());
    }
  }

  @Test
  void everyTruncationIsAFormatError() {
    Trials.run(
        100,
        t ->
            everyTruncationIsAFormatError(
                t.between(1, 64), t.anyLong(), t.between(0, 500), t.between(1.0, 10.0)));
  }

  private static void everyTruncationIsAFormatError(
      int alphabet, long seed, int count, double skew) {
    int[] symbols = Reference.skewedSymbols(seed, alphabet, count, skew);
    byte[] bytes =
        serialize(CodeLengths.fromFrequencies(HuffmanStreams.histogram(symbols, alphabet)));
    for (int length = 0; length < bytes.length; length++) {
      ByteBuffer truncated = ByteBuffer.wrap(bytes, 0, length);
      assertThrows(HuffmanFormatException.class, () -> CodeLengths.readFrom(truncated));
    }
  }

  @Test
  void rejectsBadAlphabetSizes() {
    assertFormatError(new byte[] {0, 0, 0}, "alphabet size 0");
    assertFormatError(new byte[] {(byte) 0x40, (byte) 0x9C, 0}, "alphabet size 40000");
  }

  @Test
  void rejectsOverSubscribedAndIncompleteTables() {
    // Three symbols of length 1 (1-bit fields 1, 1, 1).
    assertFormatError(new byte[] {3, 0, 0x01, 0x07}, "over-subscribed");
    // Lengths 1, 2, 0 leave a quarter of the code space unused.
    assertFormatError(new byte[] {3, 0, 0x02, 0b00_10_01}, "incomplete");
    // A single used symbol must have a 1-bit code.
    assertFormatError(new byte[] {2, 0, 0x02, 0b10_00}, "only used symbol");
  }

  @Test
  void rejectsInconsistentBodies() {
    assertFormatError(new byte[] {2, 0, 0x20, 0}, "mode 2");
    // Longest declared 2, but a field holds 3.
    assertFormatError(new byte[] {2, 0, 0x02, 0b01_11}, "exceeds the declared longest 2");
    // Longest declared 2, but both fields hold 1.
    assertFormatError(new byte[] {2, 0, 0x02, 0b01_01}, "longest is 1");
    // Runs mode, 2 symbols: field 1 (1 bit), run 3 = zero, one, low bit 1 -> 0b1101.
    assertFormatError(new byte[] {2, 0, 0x11, 0b1101}, "overruns");
    // Packed 1, 1 followed by a set padding bit.
    assertFormatError(new byte[] {2, 0, 0x01, 0b111}, "padding");
    // Runs mode with a run code of 16 leading zeros.
    assertFormatError(new byte[] {2, 0, 0x11, 0x01, 0, 0, 0}, "too long");
  }

  @Test
  void errorsNameTheTableOffset() {
    ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 9, 3, 0, 0x01, 0x07});
    buffer.position(2);
    var e = assertThrows(HuffmanFormatException.class, () -> CodeLengths.readFrom(buffer));
    assertTrue(e.getMessage().contains("byte offset 2"), e.getMessage());
  }

  private static void assertFormatError(byte[] bytes, String expected) {
    var e =
        assertThrows(
            HuffmanFormatException.class, () -> CodeLengths.readFrom(ByteBuffer.wrap(bytes)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains("byte offset 0"), e.getMessage());
  }

  private static byte[] serialize(CodeLengths code) {
    ByteBuffer buffer = ByteBuffer.allocate(code.serializedSize());
    code.writeTo(buffer);
    assertEquals(0, buffer.remaining());
    return buffer.array();
  }

  private static ByteBuffer copyToDirect(ByteBuffer heap) {
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.capacity());
    direct.put(heap.array());
    return direct;
  }
}
