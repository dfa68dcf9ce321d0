package dev.deepcompress.runtime.format;

import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.SOURCE;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.assertMessage;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Damaged and crafted SPARSE_QUANTIZED tensors: always a ModelFormatException, never worse. */
class SparseQuantizedCorruptionTest {
  private static final Architecture ARCHITECTURE =
      new Architecture(
          "small",
          Shape.of(6),
          List.of(
              new LayerSpec.FullyConnected("fc1", 6, 4),
              new LayerSpec.Relu("relu"),
              new LayerSpec.FullyConnected("fc2", 4, 3)));

  /** fc1.weight 4×6 with 2-bit gaps (so fillers), fc2.weight 3×4 with 3-bit indices. */
  private static Model smallModel() {
    return Model.ofTensors(
        ARCHITECTURE,
        Map.of(
            "fc1.weight",
            new SparseQuantizedTensor(
                Shape.of(4, 6),
                new float[] {-0.5f, 0.25f, 1},
                new int[] {0, 1, 9, 17, 23},
                new byte[] {0, 2, 2, 1, 2},
                2,
                2),
            "fc1.bias",
            new DenseTensor(Shape.of(4), new float[] {0.5f, -0.5f, 0, 1}),
            "fc2.weight",
            new SparseQuantizedTensor(
                Shape.of(3, 4),
                new float[] {0.125f, -2, 3, 0.75f, -1},
                new int[] {2, 3, 5, 6, 7, 11},
                new byte[] {4, 0, 1, 3, 3, 2},
                3,
                5),
            "fc2.bias",
            new DenseTensor(Shape.of(3), new float[] {-1, 1, 2})),
        Map.of("seed", "42"));
  }

  private static final byte[] SMALL = ModelFile.toBytes(smallModel());

  /** Index of fc1.weight's TENS section: ARCH, META, then the tensors. */
  private static final int FC1_WEIGHT = 2;

  private static final int FC2_WEIGHT = 4;

  /** The payload that SMALL holds for fc1.weight, built independently. */
  private static SparsePayload fc1Weight() {
    return SparsePayload.of(
        "fc1.weight",
        new int[] {4, 6},
        2,
        2,
        new float[] {-0.5f, 0.25f, 1},
        new int[] {0, 1, 9, 17, 23},
        new int[] {0, 2, 2, 1, 2});
  }

  private static SectionedFile small() {
    return SectionedFile.parse(SMALL);
  }

  /** Reads the file, which must either be rejected properly or be read as a valid model. */
  static boolean readsOrRejects(byte[] bytes) {
    try {
      Model model = ModelFile.fromBytes(bytes, SOURCE);
      // Whatever was read is a consistent model: it decodes and writes.
      model.parameters();
      ModelFile.toBytes(model);
      return true;
    } catch (ModelFormatException e) {
      rejects(bytes);
      return false;
    }
  }

  @Test
  void theIndependentPayloadIsWhatTheWriterWrites() throws IOException {
    assertEquals(
        Arrays.toString(fc1Weight().toBytes()),
        Arrays.toString(small().sections().get(FC1_WEIGHT).payload()));
    ModelFileRoundTripTest.assertSameModel(smallModel(), ModelFile.fromBytes(SMALL, SOURCE));
  }

  @Test
  void everyTruncationIsRejected() {
    for (int length = 0; length < SMALL.length; length++) {
      rejects(Arrays.copyOf(SMALL, length));
    }
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
  void damageBehindAValidCrcIsRejectedOrReadAsAValidModel() {
    SectionedFile file = small();
    int rejected = 0;
    int total = 0;
    for (int index : new int[] {FC1_WEIGHT, FC2_WEIGHT}) {
      byte[] original = file.sections().get(index).payload();
      for (int i = 0; i < original.length; i++) {
        for (int change : new int[] {1, 2, 4, 8, 16, 32, 64, 128, 0x100, 0x1FF}) {
          byte[] payload = original.clone();
          // 0x100 and 0x1FF stand for "set the byte to 0x00" and "to 0xFF".
          payload[i] = (byte) (change == 0x100 ? 0 : change == 0x1FF ? 0xFF : payload[i] ^ change);
          total++;
          rejected += readsOrRejects(file.replace(index, payload).toBytes()) ? 0 : 1;
        }
      }
      for (int length = 0; length < original.length; length++) {
        rejects(file.replace(index, Arrays.copyOf(original, length)).toBytes());
      }
      rejects(file.replace(index, Arrays.copyOf(original, original.length + 1)).toBytes());
    }
    // Most damage is structural; changed codebook values and shifted codes may read as valid.
    assertTrue(rejected > total / 2, rejected + " of " + total + " rejected");
  }

  private record Case(SparsePayload payload, int offset, String... message) {}

  private static void assertRejected(Case c) {
    SectionedFile file = small();
    ModelFormatException e = rejects(file.replace(FC1_WEIGHT, c.payload().toBytes()).toBytes());
    assertEquals("TENS 'fc1.weight'", e.section().orElseThrow(), e.getMessage());
    assertMessage(e, c.message());
    assertEquals(file.offsetOf(FC1_WEIGHT) + 16 + c.offset(), e.offset(), e.getMessage());
  }

  @Test
  void badFieldsAreRejectedWhereTheyAre() {
    SparsePayload good = fc1Weight();
    int data = good.dataOffset();
    int gapAt = good.gapStreamOffset();
    int indexAt = good.indexStreamOffset();
    EncodedStream gaps = good.gaps();
    EncodedStream indices = good.indices();
    float[] nan = {-0.5f, Float.NaN, 1};
    for (Case c :
        List.of(
            new Case(good.withCounts(0, 2, 5, 3), data, "index bits 0 is outside [1, 8]"),
            new Case(good.withCounts(9, 2, 5, 3), data, "index bits 9 is outside [1, 8]"),
            new Case(good.withCounts(2, 0, 5, 3), data + 1, "gap bits 0 is outside [1, 8]"),
            new Case(good.withCounts(2, 9, 5, 3), data + 1, "gap bits 9"),
            new Case(
                good.withCounts(2, 2, 0xFFFF_FFFFL, 3),
                data + 2,
                "non-zero count 4294967295 is outside [0, 24]"),
            new Case(good.withCounts(2, 2, 25, 3), data + 2, "non-zero count 25"),
            new Case(good.withCounts(1, 2, 5, 3), data + 6, "codebook length 3 is outside [1, 2]"),
            new Case(good.withCounts(2, 2, 5, 0), data + 6, "codebook length 0 is outside [1, 4]"),
            new Case(good.withCounts(2, 2, 5, 0xFFFF), data + 6, "codebook length 65535"),
            new Case(
                new SparsePayload(good.name(), good.dims(), 2, 2, 5, 3, nan, gaps, indices),
                data + 8 + 4,
                "codebook entry 1 is NaN"),
            new Case(
                good.withStreams(
                    HuffmanStreams.encode(
                        SparsePayload.gapSymbols(new int[] {0, 1, 9, 17, 23}, 2), 8),
                    indices),
                gapAt,
                "gap stream has an alphabet of 8 symbols; 2 bits need 4"),
            new Case(
                good.withStreams(gaps, HuffmanStreams.encode(new int[] {0, 1, 1, 1, 0}, 2)),
                indexAt,
                "index stream has an alphabet of 2 symbols; 2 bits need 4"))) {
      assertRejected(c);
    }
  }

  /** A payload for 24 elements with 2-bit gaps (filler 3) and the given symbols. */
  private static SparsePayload withGaps(int nonZeros, int[] gapSymbols, int[] codes) {
    SparsePayload good = fc1Weight();
    return new SparsePayload(
        good.name(),
        good.dims(),
        2,
        2,
        nonZeros,
        3,
        good.codebook(),
        HuffmanStreams.encode(gapSymbols, 4),
        HuffmanStreams.encode(codes, 4));
  }

  @Test
  void gapStreamsThatDoNotFitTheTensorAreRejected() {
    SparsePayload probe = withGaps(1, new int[] {0}, new int[] {0});
    int gapAt = probe.gapStreamOffset();
    List<Case> cases =
        List.of(
            // Eight fillers skip 24 zeros: the next element is outside the 4×6 tensor.
            new Case(
                withGaps(1, new int[] {3, 3, 3, 3, 3, 3, 3, 3, 0}, new int[] {1}),
                -1,
                "symbol 8 places a non-zero at element 24 of 24"),
            new Case(withGaps(1, new int[] {0, 3}, new int[] {1}), -1, "ends with a filler"),
            new Case(withGaps(0, new int[] {3}, new int[] {}), -1, "ends with a filler"),
            new Case(
                withGaps(1, new int[] {0, 0}, new int[] {1}),
                -1,
                "symbol 1 stores a non-zero beyond the declared 1"),
            new Case(
                withGaps(2, new int[] {0, 3}, new int[] {1, 1}),
                -1,
                "stores 1 non-zeros, 2 declared"),
            new Case(
                withGaps(3, new int[] {0, 0}, new int[] {1, 1, 1}),
                gapAt,
                "gap stream has 2 symbols; 3 non-zeros in 24 elements need between 3 and 24"),
            new Case(
                withGaps(1, new int[25], new int[] {1}),
                gapAt,
                "gap stream has 25 symbols; 1 non-zeros in 24 elements"));
    for (Case c : cases) {
      SparsePayload p = c.payload();
      // -1: the error is reported at the start of the gap stream's payload.
      int offset =
          c.offset() >= 0
              ? c.offset()
              : p.gapStreamOffset() + (int) (p.gaps().serializedSize() - p.gaps().payload().length);
      assertRejected(new Case(p, offset, c.message()));
    }
  }

  @Test
  void indexStreamsThatDoNotFitTheCodebookAreRejected() {
    SparsePayload good = fc1Weight();
    SparsePayload wrongCount =
        good.withStreams(good.gaps(), HuffmanStreams.encode(new int[] {0, 2, 2, 1}, 4));
    assertRejected(
        new Case(
            wrongCount, good.indexStreamOffset(), "index stream has 4 symbols for 5 non-zeros"));
    SparsePayload beyond =
        good.withStreams(good.gaps(), HuffmanStreams.encode(new int[] {0, 2, 3, 1, 2}, 4));
    EncodedStream indices = beyond.indices();
    assertRejected(
        new Case(
            beyond,
            beyond.indexStreamOffset()
                + (int) (indices.serializedSize() - indices.payload().length),
            "symbol 2 is index 3 but the codebook has 3 entries"));
  }

  @Test
  void huffmanErrorsBecomeModelFormatExceptionsAtTheStream() {
    SparsePayload good = fc1Weight();
    EncodedStream gaps = good.gaps();
    int gapAt = good.gapStreamOffset();
    int countsAt = gapAt + gaps.code().serializedSize();

    // Symbol count far beyond what the payload bits can hold.
    SparsePayload hugeCount =
        good.withStreams(
            new EncodedStream(gaps.code(), Integer.MAX_VALUE, gaps.payloadBits(), gaps.payload()),
            good.indices());
    assertRejected(new Case(hugeCount, gapAt, "gap stream: Huffman stream counts", "2147483647"));

    // Bit count claiming far more payload than the section has.
    byte[] payload = good.toBytes();
    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(countsAt + 4, 1L << 62);
    SectionedFile file = small();
    ModelFormatException e = rejects(file.replace(FC1_WEIGHT, payload).toBytes());
    assertMessage(e, "gap stream", "payload of 576460752303423488 bytes declared");
    assertEquals(file.offsetOf(FC1_WEIGHT) + 16 + gapAt, e.offset());

    // One symbol fewer than the bits hold: bits are left over.
    SparsePayload leftOver =
        good.withStreams(
            new EncodedStream(
                gaps.code(), gaps.symbolCount() - 1, gaps.payloadBits(), gaps.payload()),
            good.indices());
    int payloadAt = gapAt + (int) (gaps.serializedSize() - gaps.payload().length);
    assertRejected(new Case(leftOver, payloadAt, "gap stream payload", "bits left over"));

    // A length table that is not a prefix code: three 1-bit codewords (alphabet 4, longest 1,
    // packed fields 1, 1, 1, 0), in place of the real table.
    byte[] original = good.toBytes();
    int tableEnd = gapAt + gaps.code().serializedSize();
    ByteBuffer spliced = ByteBuffer.allocate(gapAt + 4 + original.length - tableEnd);
    spliced.put(original, 0, gapAt).put(new byte[] {4, 0, 1, 0b0111});
    spliced.put(original, tableEnd, original.length - tableEnd);
    e = rejects(file.replace(FC1_WEIGHT, spliced.array()).toBytes());
    assertMessage(e, "gap stream: Huffman length table", "over-subscribed");
    assertEquals(file.offsetOf(FC1_WEIGHT) + 16 + gapAt, e.offset());
  }

  @Test
  void aHugeEmptyTensorIsReadWithoutInflatingItAndLyingCountsAreRejectedFirst() throws IOException {
    // 46340² ≈ 2^31 elements: decoding them would need 8 GB, far above the test heap. The limit on
    // declared elements would refuse them; without it, the tensor still reads without decoding.
    ReadLimits unlimited = new ReadLimits(Long.MAX_VALUE);
    int side = 46340;
    Architecture big =
        new Architecture(
            "big", Shape.of(side), List.of(new LayerSpec.FullyConnected("fc", side, side)));
    Model model =
        Model.ofTensors(
            big,
            Map.of(
                "fc.weight",
                new SparseQuantizedTensor(
                    Shape.of(side, side), new float[] {1}, new int[] {}, new byte[] {}, 8, 8),
                "fc.bias",
                new DenseTensor(Shape.of(side), new float[side])),
            Map.of());
    byte[] bytes = ModelFile.toBytes(model);
    SparseQuantizedTensor read =
        (SparseQuantizedTensor) ModelFile.fromBytes(bytes, SOURCE, unlimited).tensor("fc.weight");
    assertEquals(0, read.nonZeroCount());

    SectionedFile file = SectionedFile.parse(bytes);
    byte[] payload = file.sections().get(1).payload().clone();
    int nonZerosAt = 2 + "fc.weight".length() + 1 + 1 + 8 + 2;
    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putInt(nonZerosAt, Integer.MAX_VALUE);
    assertMessage(
        rejects(file.replace(1, payload).toBytes(), unlimited),
        "non-zero count 2147483647 is outside [0, 2147395600]");
    // The largest count the shape allows passes that check and fails against the empty streams.
    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putInt(nonZerosAt, side * side);
    assertMessage(
        rejects(file.replace(1, payload).toBytes(), unlimited),
        "gap stream has 0 symbols; 2147395600 non-zeros");
  }
}
