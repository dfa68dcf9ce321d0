package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModelFileCorruptionTest {
  static final String SOURCE = "test.dcmodel";

  /** fc1 3→2, ReLU, fc2 2→2 with two metadata entries: a few hundred bytes. */
  private static Model smallModel() {
    Architecture architecture =
        new Architecture(
            "small",
            Shape.of(3),
            List.of(
                new LayerSpec.FullyConnected("fc1", 3, 2),
                new LayerSpec.Relu("relu"),
                new LayerSpec.FullyConnected("fc2", 2, 2)));
    Map<String, float[]> parameters = new LinkedHashMap<>();
    parameters.put("fc1.weight", new float[] {1, -2, 3, -4, 5, -6});
    parameters.put("fc1.bias", new float[] {0.5f, -0.5f});
    parameters.put("fc2.weight", new float[] {0.1f, 0.2f, 0.3f, 0.4f});
    parameters.put("fc2.bias", new float[] {-1, 1});
    return new Model(architecture, parameters, Map.of("dataset", "mnist", "seed", "42"));
  }

  private static final byte[] SMALL = ModelFile.toBytes(smallModel());

  /** Asserts that the bytes are rejected with a well-formed message, and returns the exception. */
  static ModelFormatException rejects(byte[] bytes) {
    return rejects(bytes, ReadLimits.defaults());
  }

  /** {@link #rejects(byte[])} within the given limits. */
  static ModelFormatException rejects(byte[] bytes, ReadLimits limits) {
    try {
      Model model = ModelFile.fromBytes(bytes, SOURCE, limits);
      return fail("accepted a bad file, read " + model.architecture());
    } catch (ModelFormatException e) {
      assertTrue(e.getMessage().startsWith(SOURCE), e.getMessage());
      assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
      assertTrue(e.getMessage().contains("at byte " + e.offset()), e.getMessage());
      return e;
    }
  }

  static void assertMessage(ModelFormatException e, String... fragments) {
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
    }
  }

  private static SectionedFile small() {
    return SectionedFile.parse(SMALL);
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void theSmallFileItselfIsValid() throws IOException {
    ModelFileRoundTripTest.assertSameModel(smallModel(), ModelFile.fromBytes(SMALL, SOURCE));
  }

  @Test
  void everyTruncationIsRejected() {
    for (int length = 0; length < SMALL.length; length++) {
      rejects(Arrays.copyOf(SMALL, length));
    }
  }

  @Test
  void truncationAtASectionBoundaryIsReportedAsAMissingEnd() {
    SectionedFile file = small();
    int end = file.indexOf("END ");
    ModelFormatException e = rejects(Arrays.copyOf(SMALL, file.offsetOf(end)));
    assertMessage(e, "without an END section");
  }

  @Test
  void everySingleBitFlipIsRejected() {
    for (int i = 0; i < SMALL.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] corrupt = SMALL.clone();
        corrupt[i] ^= (byte) (1 << bit);
        rejects(corrupt);
      }
    }
  }

  @Test
  void randomOverwritesAreRejected() {
    Random random = new Random(1);
    for (int trial = 0; trial < 2000; trial++) {
      byte[] corrupt = SMALL.clone();
      int changes = 1 + random.nextInt(8);
      for (int c = 0; c < changes; c++) {
        int at = random.nextInt(corrupt.length);
        corrupt[at] = (byte) (corrupt[at] + 1 + random.nextInt(255));
      }
      rejects(corrupt);
    }
  }

  /**
   * Mutations behind valid CRCs reach the payload validators: each must either be read as some
   * valid model or rejected as a format error, never fail any other way.
   */
  @Test
  void payloadMutationsWithRepairedCrcsFailOnlyAsFormatErrors() {
    Random random = new Random(2);
    SectionedFile file = small();
    int rejected = 0;
    int trials = 3000;
    for (int trial = 0; trial < trials; trial++) {
      int index = random.nextInt(file.sections().size());
      byte[] payload = file.sections().get(index).payload().clone();
      if (payload.length == 0) {
        continue;
      }
      switch (random.nextInt(3)) {
        case 0 -> payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
        case 1 -> payload = Arrays.copyOf(payload, random.nextInt(payload.length));
        default -> {
          int at = random.nextInt(payload.length);
          payload[at] = (byte) (random.nextBoolean() ? 0xFF : 0x00);
          if (at + 1 < payload.length) {
            payload[at + 1] = (byte) 0xFF;
          }
        }
      }
      try {
        ModelFile.fromBytes(file.replace(index, payload).toBytes(), SOURCE);
      } catch (ModelFormatException e) {
        rejected++;
      }
    }
    assertTrue(rejected > trials / 3, "only " + rejected + " of " + trials + " rejected");
  }

  @Test
  void aSectionDeclaringATerabyteIsRejectedWithoutReadingIt() {
    byte[] bytes =
        ByteBuffer.allocate(16 + 16 + 8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(SectionedFile.header(1, 0))
            .put("ARCH".getBytes(StandardCharsets.US_ASCII))
            .putInt(0)
            .putLong(1L << 40)
            .array();
    ModelFormatException e = rejects(bytes);
    assertEquals("ARCH", e.section().orElseThrow());
    assertEquals(24, e.offset());
    assertMessage(e, "declares 1099511627776 payload bytes but only 4 remain");
  }

  @Test
  void aNegativeLookingSectionLengthIsRejected() {
    byte[] bytes =
        ByteBuffer.allocate(16 + 16 + 8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(SectionedFile.header(1, 0))
            .put("TENS".getBytes(StandardCharsets.US_ASCII))
            .putInt(0)
            .putLong(-8)
            .array();
    assertMessage(rejects(bytes), "declares 18446744073709551608 payload bytes");
  }

  @Test
  void aTensorShapeBeyondTwoToTheThirtyOneElementsIsRejected() {
    SectionedFile file = small();
    int index = file.indexOf("TENS");
    ByteBuffer payload =
        ByteBuffer.allocate(2 + 10 + 1 + 1 + 8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 10)
            .put("fc1.weight".getBytes(StandardCharsets.US_ASCII))
            .put((byte) 0)
            .put((byte) 2)
            .putInt(65536)
            .putInt(32768);
    ModelFormatException e = rejects(file.replace(index, payload.array()).toBytes());
    assertEquals("TENS 'fc1.weight'", e.section().orElseThrow());
    assertEquals(file.offsetOf(index) + 16 + 12 + 1, e.offset());
    assertMessage(e, "more than 2147483647 elements");
  }

  @Test
  void aHugeDeclaredTensorIsRejectedBeforeAllocation() {
    // 40000×40000 floats are 6.4 GB, more than the test JVM's heap: allocating would fail the test.
    // The limit on declared elements would refuse it at ARCH; without it, the TENS check holds.
    Architecture huge =
        new Architecture(
            "huge", Shape.of(40_000), List.of(new LayerSpec.FullyConnected("big", 40_000, 40_000)));
    ByteWriter arch = new ByteWriter();
    ArchitectureCodec.write(arch, huge);
    ByteBuffer tensor =
        ByteBuffer.allocate(2 + 10 + 1 + 1 + 8 + 12)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 10)
            .put("big.weight".getBytes(StandardCharsets.US_ASCII))
            .put((byte) 0)
            .put((byte) 2)
            .putInt(40_000)
            .putInt(40_000);
    SectionedFile file =
        new SectionedFile(
            SectionedFile.header(1, 0),
            List.of(
                new SectionedFile.Section("ARCH", 0, arch.toByteArray()),
                new SectionedFile.Section("TENS", 0, tensor.array())));
    ModelFormatException e = rejects(file.toBytes(), new ReadLimits(Long.MAX_VALUE));
    assertEquals("TENS 'big.weight'", e.section().orElseThrow());
    assertMessage(e, "declared 1600000000 values (6400000000 bytes) but only 12 bytes remain");
  }

  @Test
  void impossibleCountsAndLengthsAreRejected() {
    SectionedFile file = small();
    int arch = file.indexOf("ARCH");
    // Layer count: name "small" (2+5), input shape (1+4), then the count.
    byte[] layers = file.sections().get(arch).payload().clone();
    le(layers).putInt(12, -1);
    assertMessage(rejects(file.replace(arch, layers).toBytes()), "layer count 4294967295");

    byte[] rank = file.sections().get(arch).payload().clone();
    rank[7] = (byte) 200;
    assertMessage(rejects(file.replace(arch, rank).toBytes()), "rank 200");

    byte[] nameLength = file.sections().get(arch).payload().clone();
    le(nameLength).putShort(0, (short) 0xFFFF);
    assertMessage(
        rejects(file.replace(arch, nameLength).toBytes()), "architecture name needs 65535 bytes");

    int meta = file.indexOf("META");
    byte[] entries = file.sections().get(meta).payload().clone();
    le(entries).putInt(0, Integer.MAX_VALUE);
    assertMessage(rejects(file.replace(meta, entries).toBytes()), "2147483647 metadata entries");
  }

  @Test
  void unknownOptionalSectionsAreSkippedWherever() throws IOException {
    SectionedFile file = small();
    for (int at = 0; at < file.sections().size(); at++) {
      List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
      sections.add(at, new SectionedFile.Section("XTRA", 1, new byte[] {1, 2, 3}));
      byte[] bytes = new SectionedFile(file.header(), sections).withConsistentEnd().toBytes();
      ModelFileRoundTripTest.assertSameModel(smallModel(), ModelFile.fromBytes(bytes, SOURCE));
    }
  }

  @Test
  void unknownRequiredSectionsAreRejectedByName() {
    SectionedFile file = small();
    List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
    sections.add(1, new SectionedFile.Section("HUFF", 0, new byte[] {1, 2, 3}));
    SectionedFile withUnknown = new SectionedFile(file.header(), sections).withConsistentEnd();
    ModelFormatException e = rejects(withUnknown.toBytes());
    assertEquals(withUnknown.offsetOf(1), e.offset());
    assertMessage(e, "unknown required section 'HUFF'");
  }

  @Test
  void reservedFlagBitsAndWrongOptionalFlagsAreRejected() {
    SectionedFile file = small();
    List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
    sections.add(1, new SectionedFile.Section("XTRA", 1 | 4, new byte[0]));
    assertMessage(
        rejects(new SectionedFile(file.header(), sections).withConsistentEnd().toBytes()),
        "reserved flag bits");

    List<SectionedFile.Section> optionalArch = new ArrayList<>(file.sections());
    SectionedFile.Section arch = optionalArch.get(0);
    optionalArch.set(0, new SectionedFile.Section("ARCH", 1, arch.payload()));
    assertMessage(
        rejects(new SectionedFile(file.header(), optionalArch).toBytes()),
        "must not be flagged optional");
  }

  @Test
  void aNonPrintableTagIsRejected() {
    SectionedFile file = small();
    List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
    sections.add(1, new SectionedFile.Section("X\u0001YZ", 1, new byte[0]));
    assertMessage(
        rejects(new SectionedFile(file.header(), sections).withConsistentEnd().toBytes()),
        "not printable ASCII");
  }

  @Test
  void wrongMagicIsNotAModelFile() {
    byte[] png = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    ModelFormatException e = rejects(png);
    assertEquals(0, e.offset());
    assertMessage(e, "not a deepcompress model file");
    assertMessage(
        rejects("hello, world".getBytes(StandardCharsets.US_ASCII)), "not a deepcompress");
    assertMessage(rejects(new byte[0]), "empty");
  }

  @Test
  void aFutureMajorVersionIsRefusedClearly() {
    SectionedFile file = small();
    byte[] v2 = new SectionedFile(SectionedFile.header(2, 0), file.sections()).toBytes();
    ModelFormatException e = rejects(v2);
    assertEquals(8, e.offset());
    assertMessage(e, "format version 2.0 is not supported", "version 1.x");
  }

  @Test
  void aNewerMinorVersionIsReadWhenItsContentIsKnown() throws IOException {
    SectionedFile file = small();
    byte[] v1dot7 = new SectionedFile(SectionedFile.header(1, 7), file.sections()).toBytes();
    ModelFileRoundTripTest.assertSameModel(smallModel(), ModelFile.fromBytes(v1dot7, SOURCE));
  }

  @Test
  void aCorruptHeaderChecksumIsRejected() {
    byte[] bytes = SMALL.clone();
    bytes[10] = 3; // minor version 3 without updating the header CRC
    ModelFormatException e = rejects(bytes);
    assertEquals(12, e.offset());
    assertMessage(e, "CRC32C mismatch");
  }

  @Test
  void aCorruptSectionNamesItselfAndWhereItsCrcIs() {
    SectionedFile file = small();
    int second = file.indexOf("TENS") + 1;
    byte[] bytes = SMALL.clone();
    bytes[file.offsetOf(second) + 20] ^= 0x10;
    ModelFormatException e = rejects(bytes);
    assertEquals("TENS", e.section().orElseThrow());
    assertEquals(
        file.offsetOf(second) + 16 + file.sections().get(second).payload().length, e.offset());
    assertMessage(e, "CRC32C mismatch");
  }

  @Test
  void sectionsOutOfOrderAreRejected() {
    SectionedFile file = small();
    int arch = file.indexOf("ARCH");
    int meta = file.indexOf("META");
    int tens = file.indexOf("TENS");

    List<SectionedFile.Section> swappedTensors = new ArrayList<>(file.sections());
    swappedTensors.set(tens, file.sections().get(tens + 1));
    swappedTensors.set(tens + 1, file.sections().get(tens));
    assertMessage(
        rejects(new SectionedFile(file.header(), swappedTensors).toBytes()),
        "expected tensor 'fc1.weight' here (architecture order) but found 'fc1.bias'");

    List<SectionedFile.Section> metaFirst = new ArrayList<>(file.sections());
    metaFirst.set(arch, file.sections().get(meta));
    metaFirst.set(meta, file.sections().get(arch));
    assertMessage(
        rejects(new SectionedFile(file.header(), metaFirst).toBytes()),
        "must come after the ARCH section");

    List<SectionedFile.Section> metaLate = new ArrayList<>(file.sections());
    metaLate.add(tens + 1, metaLate.remove(meta));
    assertMessage(
        rejects(new SectionedFile(file.header(), metaLate).toBytes()),
        "META must come before the tensors");

    List<SectionedFile.Section> twoArch = new ArrayList<>(file.sections());
    twoArch.add(1, file.sections().get(arch));
    assertMessage(
        rejects(new SectionedFile(file.header(), twoArch).withConsistentEnd().toBytes()),
        "duplicate ARCH");

    List<SectionedFile.Section> twoMeta = new ArrayList<>(file.sections());
    twoMeta.add(meta, file.sections().get(meta));
    assertMessage(
        rejects(new SectionedFile(file.header(), twoMeta).withConsistentEnd().toBytes()),
        "duplicate META");
  }

  @Test
  void missingAndExtraTensorsAreRejected() {
    SectionedFile file = small();
    int end = file.indexOf("END ");

    List<SectionedFile.Section> missing = new ArrayList<>(file.sections());
    missing.remove(end - 1);
    assertMessage(
        rejects(new SectionedFile(file.header(), missing).withConsistentEnd().toBytes()),
        "tensor 'fc2.bias' is missing");

    List<SectionedFile.Section> extra = new ArrayList<>(file.sections());
    extra.add(end, file.sections().get(end - 1));
    assertMessage(
        rejects(new SectionedFile(file.header(), extra).withConsistentEnd().toBytes()),
        "one tensor too many");

    List<SectionedFile.Section> noArch = new ArrayList<>(file.sections());
    noArch.removeIf(s -> !s.tag().equals("END "));
    assertMessage(
        rejects(new SectionedFile(file.header(), noArch).withConsistentEnd().toBytes()),
        "END without an ARCH section");
  }

  @Test
  void aRemovedOptionalSectionIsCaughtByTheEndCounts() {
    SectionedFile file = small();
    List<SectionedFile.Section> withoutMeta = new ArrayList<>(file.sections());
    withoutMeta.remove(file.indexOf("META"));
    assertMessage(
        rejects(new SectionedFile(file.header(), withoutMeta).toBytes()),
        "END counts 6 sections before it but the file has 5");
  }

  @Test
  void bytesAfterEndAreRejected() {
    byte[] bytes = Arrays.copyOf(SMALL, SMALL.length + 3);
    ModelFormatException e = rejects(bytes);
    assertEquals(SMALL.length, e.offset());
    assertMessage(e, "3 unexpected bytes after the END section");
  }

  @Test
  void nonFiniteWeightsAreRejectedAtTheirOffset() {
    SectionedFile file = small();
    int index = file.indexOf("TENS");
    // fc1.weight: name (2+10), encoding, rank, 2 dims, then values; value 4 is patched.
    int valueOffset = 2 + 10 + 1 + 1 + 8 + 4 * 4;
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      byte[] payload = file.sections().get(index).payload().clone();
      le(payload).putFloat(valueOffset, bad);
      ModelFormatException e = rejects(file.replace(index, payload).toBytes());
      assertEquals("TENS 'fc1.weight'", e.section().orElseThrow());
      assertEquals(file.offsetOf(index) + 16 + valueOffset, e.offset());
      assertMessage(e, "value 4 is " + bad);
    }
  }

  @Test
  void unknownEncodingsShapeMismatchesAndTrailingPayloadAreRejected() {
    SectionedFile file = small();
    int index = file.indexOf("TENS");
    byte[] original = file.sections().get(index).payload();

    byte[] encoding = original.clone();
    encoding[12] = 7;
    ModelFormatException e = rejects(file.replace(index, encoding).toBytes());
    assertEquals(file.offsetOf(index) + 16 + 12, e.offset());
    assertMessage(
        e,
        "unknown tensor encoding id 7 (this reader knows 0 (DENSE_FP32), 1 (SPARSE_QUANTIZED),"
            + " 2 (QUANTIZED), 3 (SPARSE_QUANTIZED_CONTEXT))");

    byte[] transposed = original.clone();
    le(transposed).putInt(14, 3).putInt(18, 2);
    assertMessage(
        rejects(file.replace(index, transposed).toBytes()),
        "shape 3×2 does not match the architecture's 2×3");

    byte[] longer = Arrays.copyOf(original, original.length + 4);
    assertMessage(rejects(file.replace(index, longer).toBytes()), "4 unexpected bytes");
  }

  @Test
  void badArchitecturesAreRejected() {
    SectionedFile file = small();
    int arch = file.indexOf("ARCH");
    byte[] original = file.sections().get(arch).payload();
    // First layer record follows name (2+5), input shape (1+4) and count (4): kind at 16.
    byte[] kind = original.clone();
    kind[16] = 9;
    assertMessage(rejects(file.replace(arch, kind).toBytes()), "unknown layer kind 9");

    // fc1's input count: kind (1) + name "fc1" (2+3) after offset 16.
    byte[] inputs = original.clone();
    le(inputs).putInt(22, 4);
    ModelFormatException e = rejects(file.replace(arch, inputs).toBytes());
    assertEquals(file.offsetOf(arch) + 16 + 16, e.offset());
    assertMessage(e, "invalid layer", "expects 4 inputs");

    byte[] badName = original.clone();
    badName[2] = '/';
    assertMessage(rejects(file.replace(arch, badName).toBytes()), "invalid architecture");
  }

  @Test
  void convolutionAndPoolingFieldsAreChecked() {
    Architecture architecture =
        new Architecture(
            "cnn",
            Shape.of(1, 6, 6),
            List.of(
                new LayerSpec.Convolution("conv", 1, 2, 3, 1, 0),
                new LayerSpec.MaxPool("pool", 2, 2)));
    Map<String, float[]> parameters = new LinkedHashMap<>();
    parameters.put("conv.weight", new float[18]);
    parameters.put("conv.bias", new float[2]);
    SectionedFile file =
        SectionedFile.parse(ModelFile.toBytes(new Model(architecture, parameters, Map.of())));
    int arch = file.indexOf("ARCH");
    byte[] original = file.sections().get(arch).payload();
    // Name "cnn" (2+3), shape [1, 6, 6] (1+12), count (4): conv's kind at 22; its fields follow
    // the kind and name "conv" (1+2+4): inputs 29, outputs 33, kernel 37, stride 41, padding 45.
    // Then the pool: kind 49, name "pool" (2+4), kernel 56, stride 60.
    assertEquals(3, original[22]);
    assertEquals(4, original[49]);

    byte[] kernel = original.clone();
    le(kernel).putInt(37, 7);
    ModelFormatException e = rejects(file.replace(arch, kernel).toBytes());
    assertEquals(file.offsetOf(arch) + 16 + 22, e.offset());
    assertMessage(e, "invalid layer", "7×7 kernel does not fit the input height 6");

    byte[] stride = original.clone();
    le(stride).putInt(41, 0);
    assertMessage(rejects(file.replace(arch, stride).toBytes()), "convolution stride 0 is outside");

    byte[] padding = original.clone();
    le(padding).putInt(45, -1);
    assertMessage(rejects(file.replace(arch, padding).toBytes()), "convolution padding 4294967295");

    byte[] window = original.clone();
    le(window).putInt(56, 1).putInt(60, 5);
    e = rejects(file.replace(arch, window).toBytes());
    assertEquals(file.offsetOf(arch) + 16 + 49, e.offset());
    assertMessage(e, "invalid layer", "layer pool", "outside the input");
  }

  @Test
  void badMetadataIsRejected() {
    SectionedFile file = small();
    int meta = file.indexOf("META");
    byte[] original = file.sections().get(meta).payload();
    // Entry 0: key "dataset" at 4 (2+7), value "mnist" (2+5); entry 1 key "seed" at 20.
    byte[] outOfOrder = original.clone();
    outOfOrder[22] = 'a';
    assertMessage(
        rejects(file.replace(meta, outOfOrder).toBytes()), "metadata key 'aeed' is out of order");

    byte[] notUtf8 = original.clone();
    notUtf8[15] = (byte) 0xC3;
    notUtf8[16] = (byte) 0x28;
    assertMessage(rejects(file.replace(meta, notUtf8).toBytes()), "is not valid UTF-8");
  }
}
