package dev.deepcompress.runtime.format;

import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.SOURCE;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.assertMessage;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files that are well framed, with correct CRCs, but built to make the reader or the runtime fail
 * in a way other than a {@link ModelFormatException}: shapes whose parameters overflow, valid files
 * that declare huge layers, non-finite values.
 */
class HostileModelFileTest {

  /** An ARCH payload: name "a", input shape [inputs], then the given layer records. */
  private static byte[] arch(int inputs, byte[]... layers) {
    int size = 2 + 1 + 1 + 4 + 4;
    for (byte[] layer : layers) {
      size += layer.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.putShort((short) 1).put((byte) 'a').put((byte) 1).putInt(inputs).putInt(layers.length);
    for (byte[] layer : layers) {
      out.put(layer);
    }
    return out.array();
  }

  /** A layer record: kind, one-letter name, then u32 fields. */
  private static byte[] layer(int kind, char name, int... fields) {
    ByteBuffer out = ByteBuffer.allocate(4 + 4 * fields.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) kind).putShort((short) 1).put((byte) name);
    for (int field : fields) {
      out.putInt(field);
    }
    return out.array();
  }

  private static byte[] fileWithArch(byte[] arch) {
    return new SectionedFile(
            SectionedFile.header(1, 0),
            List.of(
                new SectionedFile.Section("ARCH", 0, arch),
                new SectionedFile.Section("END ", 0, new byte[8])))
        .toBytes();
  }

  @Test
  void fullyConnectedWeightsBeyondAnIntAreAFormatErrorAtTheLayer() {
    // 100 inputs × 21,474,837 outputs is 2,147,483,700 weights: one more row than fits an int.
    byte[] arch = arch(100, layer(ArchitectureCodec.FULLY_CONNECTED, 'f', 100, 21_474_837));
    ModelFormatException e = rejects(fileWithArch(arch));
    assertEquals("ARCH", e.section().orElseThrow());
    assertEquals(16 + 16 + 12, e.offset());
    assertMessage(e, "layer f", "too large");
  }

  @Test
  void convolutionWeightsBeyondAnIntAreAFormatErrorAtTheLayer() {
    // A 46,341 × 46,341 kernel has 2,147,488,281 taps; padding makes a 1×1 image large enough.
    byte[] input =
        ByteBuffer.allocate(4 + 4 * 3)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(new byte[] {1, 0, 'a', 3})
            .putInt(1)
            .putInt(1)
            .putInt(1)
            .array();
    byte[] conv = layer(ArchitectureCodec.CONVOLUTION, 'c', 1, 1, 46_341, 1, 23_170);
    ByteBuffer arch = ByteBuffer.allocate(input.length + 4 + conv.length);
    arch.order(ByteOrder.LITTLE_ENDIAN).put(input).putInt(1).put(conv);
    ModelFormatException e = rejects(fileWithArch(arch.array()));
    assertEquals("ARCH", e.section().orElseThrow());
    assertEquals(16 + 16 + input.length + 4, e.offset());
    assertMessage(e, "layer c", "too large");
  }

  /** fc 1 → 2³¹−1 with both tensors stored sparse and empty: a few hundred bytes. */
  private static Model hugeEmptyModel() {
    LayerSpec.FullyConnected fc = new LayerSpec.FullyConnected("fc", 1, Integer.MAX_VALUE);
    Architecture architecture = new Architecture("huge", Shape.of(1), List.of(fc));
    Map<String, Tensor> tensors =
        Map.of(
            fc.weightName(), empty(Shape.of(Integer.MAX_VALUE, 1)),
            fc.biasName(), empty(Shape.of(Integer.MAX_VALUE)));
    return Model.ofTensors(architecture, tensors, Map.of());
  }

  private static SparseQuantizedTensor empty(Shape shape) {
    return new SparseQuantizedTensor(shape, new float[0], new int[0], new byte[0], 1, 8);
  }

  @Test
  void aSmallFileDeclaringMoreElementsThanTheLimitIsRefusedAtItsLayer() {
    byte[] bytes = ModelFile.toBytes(hugeEmptyModel());
    ModelFormatException e = rejects(bytes);
    assertEquals("ARCH", e.section().orElseThrow());
    assertMessage(
        e,
        "layer 'fc'",
        "4,294,967,294 parameter elements",
        "limit of " + String.format("%,d", ReadLimits.DEFAULT_MAX_ELEMENTS),
        ReadLimits.MAX_ELEMENTS_PROPERTY);
  }

  @Test
  void theLimitCanBeRaisedAndLowered() throws IOException {
    byte[] huge = ModelFile.toBytes(hugeEmptyModel());
    Model model = ModelFile.fromBytes(huge, SOURCE, new ReadLimits(Long.MAX_VALUE));
    assertEquals(Integer.MAX_VALUE, model.architecture().outputShape().elementCount());

    byte[] small = ModelFile.toBytes(ModelFileRoundTripTest.tinyModel(Map.of()));
    ModelFile.fromBytes(small, SOURCE, new ReadLimits(3));
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> ModelFile.fromBytes(small, SOURCE, new ReadLimits(2)));
    assertMessage(e, "limit of 2");
  }

  @Test
  void describingALayerDecodesNothing() throws IOException {
    // fc 1 → 2²⁴: the compressed weight's row pointers take 64 MiB, the decoded bias as much.
    int rows = 1 << 24;
    LayerSpec.FullyConnected fc = new LayerSpec.FullyConnected("fc", 1, rows);
    Model model =
        Model.ofTensors(
            new Architecture("tall", Shape.of(1), List.of(fc)),
            Map.of(fc.weightName(), empty(Shape.of(rows, 1)), fc.biasName(), empty(Shape.of(rows))),
            Map.of());
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    List<InferenceNetwork.LayerDescription> layers = InferenceNetwork.describe(model);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertEquals(InferenceNetwork.COMPRESSED, layers.get(0).form());
    assertEquals(0, layers.get(0).storedWeights());
    assertTrue(allocated < 5L * rows, allocated + " bytes allocated");
  }

  @Test
  void nonFiniteBiasesAreRejected() {
    SectionedFile file =
        SectionedFile.parse(ModelFile.toBytes(ModelFileRoundTripTest.tinyModel(Map.of())));
    int index = file.tags().lastIndexOf("TENS");
    byte[] payload = file.sections().get(index).payload().clone();
    for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
      ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putFloat(payload.length - 4, bad);
      ModelFormatException e = rejects(file.replace(index, payload).toBytes());
      assertMessage(e, "bias", "is " + bad);
    }
  }
}
