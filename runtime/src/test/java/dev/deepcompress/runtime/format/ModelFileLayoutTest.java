package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bytes of a tiny model, assembled by hand from docs/model-format.md. */
class ModelFileLayoutTest {

  @Test
  void tinyModelHasTheSpecifiedLayout() throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(SectionedFile.header(1, 0));

    // ARCH: name "tiny", input shape rank 1 [2], 2 layers: FC(1) "fc" 2→1, ReLU(2) "r".
    expected.writeBytes(
        SectionedFile.frame(
            "ARCH",
            0,
            le(4 + 2 + 1 + 4 + 4 + (1 + 2 + 2 + 4 + 4) + (1 + 2 + 1))
                .putShort((short) 4)
                .put("tiny".getBytes())
                .put((byte) 1)
                .putInt(2)
                .putInt(2)
                .put((byte) 1)
                .putShort((short) 2)
                .put("fc".getBytes())
                .putInt(2)
                .putInt(1)
                .put((byte) 2)
                .putShort((short) 1)
                .put("r".getBytes())
                .array()));
    // META, optional: 1 entry "k" → "v".
    expected.writeBytes(
        SectionedFile.frame(
            "META",
            1,
            le(4 + 3 + 3)
                .putInt(1)
                .putShort((short) 1)
                .put((byte) 'k')
                .putShort((short) 1)
                .put((byte) 'v')
                .array()));
    // TENS: name, encoding 0 (dense fp32), shape, values.
    expected.writeBytes(
        SectionedFile.frame(
            "TENS",
            0,
            le(2 + 9 + 1 + 1 + 8 + 8)
                .putShort((short) 9)
                .put("fc.weight".getBytes())
                .put((byte) 0)
                .put((byte) 2)
                .putInt(1)
                .putInt(2)
                .putFloat(1.5f)
                .putFloat(-2f)
                .array()));
    expected.writeBytes(
        SectionedFile.frame(
            "TENS",
            0,
            le(2 + 7 + 1 + 1 + 4 + 4)
                .putShort((short) 7)
                .put("fc.bias".getBytes())
                .put((byte) 0)
                .put((byte) 1)
                .putInt(1)
                .putFloat(0.25f)
                .array()));
    // END: 4 sections before it, 2 tensors.
    expected.writeBytes(SectionedFile.frame("END ", 0, le(8).putInt(4).putInt(2).array()));

    byte[] actual = ModelFile.toBytes(ModelFileRoundTripTest.tinyModel(Map.of("k", "v")));
    assertArrayEquals(expected.toByteArray(), actual);
    assertEquals(16 + 5 * 20 + 32 + 10 + 29 + 19 + 8, actual.length);
    // The checksums printed in the specification's example.
    assertArrayEquals(
        new byte[] {(byte) 0x9D, 0x65, 0x23, 0x76}, Arrays.copyOfRange(actual, 12, 16));
    assertArrayEquals(
        new byte[] {(byte) 0xD7, 0x09, 0x33, (byte) 0xCB},
        Arrays.copyOfRange(actual, actual.length - 4, actual.length));
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
