package dev.deepcompress.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class ProtoWriterTest {
  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] varintField1(long value) {
    return new ProtoWriter().varint(1, value).toByteArray();
  }

  @Test
  void varintsTakeSevenBitsPerByteLowGroupFirst() {
    assertArrayEquals(bytes(0x08, 0x00), varintField1(0));
    assertArrayEquals(bytes(0x08, 0x01), varintField1(1));
    assertArrayEquals(bytes(0x08, 0x7F), varintField1(127));
    assertArrayEquals(bytes(0x08, 0x80, 0x01), varintField1(128));
    assertArrayEquals(bytes(0x08, 0xAC, 0x02), varintField1(300));
    assertArrayEquals(bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x08), varintField1(1L << 31));
  }

  @Test
  void negativeVarintsTakeTenBytes() {
    assertArrayEquals(
        bytes(0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), varintField1(-1));
  }

  @Test
  void tagsAreVarintsOfFieldAndWireType() {
    // Field 20 (AttributeProto.type), wire type 0: 160 needs two bytes.
    assertArrayEquals(bytes(0xA0, 0x01, 0x02), new ProtoWriter().varint(20, 2).toByteArray());
  }

  @Test
  void lengthDelimitedFieldsCarryTheirLength() {
    assertArrayEquals(bytes(0x12, 0x02, 'a', 'b'), new ProtoWriter().string(2, "ab").toByteArray());
    assertArrayEquals(bytes(0x0A, 0x00), new ProtoWriter().string(1, "").toByteArray());
    ProtoWriter inner = new ProtoWriter().varint(1, 150);
    assertArrayEquals(
        bytes(0x1A, 0x03, 0x08, 0x96, 0x01), new ProtoWriter().message(3, inner).toByteArray());
  }
}
