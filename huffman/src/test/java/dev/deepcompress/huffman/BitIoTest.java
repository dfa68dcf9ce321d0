package dev.deepcompress.huffman;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BitIoTest {

  @Test
  void fillsBytesLeastSignificantBitFirst() {
    BitWriter out = new BitWriter();
    out.writeBits(1, 1);
    out.writeBits(0b101, 3);
    out.writeBits(0xAB, 8);
    assertEquals(12, out.bitLength());
    assertArrayEquals(new byte[] {(byte) 0xBB, 0x0A}, out.toByteArray());
  }

  @Test
  void fieldsRoundTrip() {
    Trials.run(300, t -> fieldsRoundTrip(t.anyLong(), t.between(0, 2000)));
  }

  private static void fieldsRoundTrip(long seed, int fields) throws HuffmanFormatException {
    Random random = new Random(seed);
    int[] widths = new int[fields];
    int[] values = new int[fields];
    BitWriter out = new BitWriter(0);
    long bits = 0;
    for (int i = 0; i < fields; i++) {
      widths[i] = random.nextInt(33);
      values[i] = widths[i] == 32 ? random.nextInt() : random.nextInt() >>> (32 - widths[i]);
      if (widths[i] == 0) {
        values[i] = 0;
      }
      out.writeBits(values[i], widths[i]);
      bits += widths[i];
    }
    assertEquals(bits, out.bitLength());
    byte[] bytes = out.toByteArray();
    assertEquals((bits + 7) / 8, bytes.length);
    BitReader in = new BitReader(bytes, 0, bits);
    for (int i = 0; i < fields; i++) {
      assertEquals(values[i], in.readBits(widths[i]), "field " + i);
    }
    assertEquals(0, in.remaining());
  }

  @Test
  void peekAgreesWithBitByBitExtraction() {
    Trials.run(
        300, t -> peekAgreesWithBitByBitExtraction(t.anyLong(), t.between(0, 40), t.between(0, 3)));
  }

  private static void peekAgreesWithBitByBitExtraction(long seed, int size, int offset)
      throws HuffmanFormatException {
    Random random = new Random(seed);
    byte[] data = new byte[size + offset];
    random.nextBytes(data);
    long bitLength = size == 0 ? 0 : random.nextLong(size * 8L + 1);
    BitReader in = new BitReader(data, offset, bitLength);
    for (long position = 0; position <= bitLength; position++) {
      int count = random.nextInt(33);
      long expected = 0;
      for (int k = 0; k < count; k++) {
        long bit = position + k;
        if (bit < bitLength) {
          expected |= (long) ((data[offset + (int) (bit >>> 3)] >>> (bit & 7)) & 1) << k;
        }
      }
      assertEquals((int) expected, in.peekBits(count), "position " + position + " count " + count);
      if (position < bitLength) {
        assertEquals(position, in.position());
        in.skipBits(1);
      }
    }
  }

  @Test
  void bitsBeyondTheDeclaredLengthAreInvisible() throws HuffmanFormatException {
    BitReader in = new BitReader(new byte[] {(byte) 0xFF, (byte) 0xFF}, 0, 10);
    in.skipBits(8);
    assertEquals(0b11, in.peekBits(8));
    var e = assertThrows(HuffmanFormatException.class, () -> in.readBits(3));
    assertTrue(e.getMessage().contains("bit offset 8"), e.getMessage());
    assertEquals(8, in.position());
    assertEquals(0b11, in.readBits(2));
    assertThrows(HuffmanFormatException.class, () -> in.skipBits(1));
    assertEquals(0, in.peekBits(32));
  }

  @Test
  void rejectsInvalidArguments() {
    BitWriter out = new BitWriter();
    assertThrows(IllegalArgumentException.class, () -> out.writeBits(4, 2));
    assertThrows(IllegalArgumentException.class, () -> out.writeBits(0, 33));
    assertThrows(IllegalArgumentException.class, () -> out.writeBits(0, -1));
    assertThrows(IllegalArgumentException.class, () -> new BitReader(new byte[2], 0, 17));
    assertThrows(IllegalArgumentException.class, () -> new BitReader(new byte[2], 3, 0));
    assertThrows(IllegalArgumentException.class, () -> new BitReader(new byte[2], 1, 9));
    assertThrows(IllegalArgumentException.class, () -> new BitReader(new byte[2]).peekBits(33));
  }
}
