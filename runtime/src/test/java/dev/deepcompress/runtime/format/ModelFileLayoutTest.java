package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bytes of the example models, assembled by hand from docs/model-format.md. */
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

  /** The example of docs/model-format.md §11.2, every stream byte derived by hand there. */
  @Test
  void sparseModelHasTheSpecifiedLayout() throws IOException {
    Architecture architecture =
        new Architecture("sparse", Shape.of(5), List.of(new LayerSpec.FullyConnected("fc", 5, 2)));
    float[] weight = {0.5f, 0, 0, 0, 0, 0, 0, 0.5f, -1, 0.25f};
    Model model =
        Model.ofTensors(
            architecture,
            Map.of(
                "fc.weight",
                SparseQuantizedTensor.fromDense(architecture.parameters().get(0), weight, 2, 2),
                "fc.bias",
                new DenseTensor(Shape.of(2), new float[] {0.25f, -0.5f})),
            Map.of());

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(SectionedFile.header(1, 1));
    expected.writeBytes(
        SectionedFile.frame(
            "ARCH",
            0,
            le(8 + 5 + 4 + 13)
                .putShort((short) 6)
                .put("sparse".getBytes())
                .put((byte) 1)
                .putInt(5)
                .putInt(1)
                .put((byte) 1)
                .putShort((short) 2)
                .put("fc".getBytes())
                .putInt(5)
                .putInt(2)
                .array()));
    expected.writeBytes(
        SectionedFile.frame(
            "TENS",
            0,
            le(11 + 1 + 9 + 1 + 1 + 4 + 2 + 12 + 17 + 17)
                .putShort((short) 9)
                .put("fc.weight".getBytes())
                .put((byte) 1) // encoding
                .put((byte) 2)
                .putInt(2)
                .putInt(5)
                .put((byte) 2) // index bits
                .put((byte) 2) // gap bits
                .putInt(4) // non-zeros
                .putShort((short) 3)
                .putFloat(-1)
                .putFloat(0.25f)
                .putFloat(0.5f)
                // Gap stream: lengths 1 0 0 1 packed, 6 symbols in 6 bits.
                .put(new byte[] {4, 0, 1, 0x09})
                .putInt(6)
                .putLong(6)
                .put((byte) 0x06)
                // Index stream: lengths 2 2 1 0 packed, 4 symbols in 6 bits.
                .put(new byte[] {4, 0, 2, 0x1A})
                .putInt(4)
                .putLong(6)
                .put((byte) 0x34)
                .array()));
    expected.writeBytes(
        SectionedFile.frame(
            "TENS",
            0,
            le(2 + 7 + 1 + 5 + 8)
                .putShort((short) 7)
                .put("fc.bias".getBytes())
                .put((byte) 0)
                .put((byte) 1)
                .putInt(2)
                .putFloat(0.25f)
                .putFloat(-0.5f)
                .array()));
    expected.writeBytes(SectionedFile.frame("END ", 0, le(8).putInt(3).putInt(2).array()));

    byte[] actual = ModelFile.toBytes(model);
    assertArrayEquals(expected.toByteArray(), actual);
    assertEquals(232, actual.length);
    assertArrayEquals(
        new byte[] {(byte) 0xEA, (byte) 0xFD, (byte) 0x81, 0x65},
        Arrays.copyOfRange(actual, 12, 16));
    assertArrayEquals(
        new byte[] {(byte) 0xD3, 0x0C, 0x6A, 0x31},
        Arrays.copyOfRange(actual, actual.length - 4, actual.length));

    // The size accounting printed in the specification.
    FileLayout layout = ModelFile.inspect(actual, "example");
    Map<FileLayout.Component, Long> components =
        new java.util.EnumMap<>(FileLayout.Component.class);
    components.put(FileLayout.Component.CODEBOOK_INDICES, 1L);
    components.put(FileLayout.Component.POSITION_GAPS, 1L);
    components.put(FileLayout.Component.CODEBOOKS, 14L);
    components.put(FileLayout.Component.QUANTIZER_PARAMETERS, 0L);
    components.put(FileLayout.Component.HUFFMAN_TABLES, 32L);
    components.put(FileLayout.Component.BIASES, 8L);
    components.put(FileLayout.Component.QUANTIZED_BIASES, 0L);
    components.put(FileLayout.Component.DENSE_WEIGHTS, 0L);
    components.put(FileLayout.Component.HEADER_AND_OTHER, 176L);
    assertEquals(components, layout.components());
    TensorLayout fc = layout.tensors().get(0);
    assertEquals(2, fc.fillers());
    assertEquals(2.0, fc.fixedIndexBitsPerNonZero());
    assertEquals(3.0, fc.fixedPositionBitsPerNonZero());
    assertEquals(1.5, fc.huffmanIndexBitsPerNonZero());
    assertEquals(1.5, fc.huffmanPositionBitsPerNonZero());
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
