package dev.deepcompress.runtime.format;

import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.SOURCE;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.assertMessage;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * SPARSE_QUANTIZED_CONTEXT (docs/model-format.md §5.5): index streams split by the left neighbour's
 * index. Payloads assembled by hand from the spec, the writer's choice, round trips, and damage.
 */
class SparseContextIndicesTest {
  private static final Architecture FC_4X6 =
      new Architecture("ctx", Shape.of(6), List.of(new LayerSpec.FullyConnected("fc", 6, 4)));

  private static final float[] CODEBOOK = {-1, -0.25f, 0.5f, 2};
  private static final int[] POSITIONS = {0, 1, 2, 5, 6, 7, 8, 20};
  private static final int[] INDICES = {3, 1, 2, 0, 3, 3, 1, 2};

  /**
   * With B = 2 and q = 2, an element whose left neighbour is stored with index i takes stream ⌊2i /
   * 4⌋, others stream 2: contexts 2, 1 (after 3), 0 (after 1), 2 (element 4 not stored), 0 (after
   * 0), 1, 1, 2.
   */
  private static final int[] CONTEXTS = {2, 1, 0, 2, 0, 1, 1, 2};

  private static final int[][] STREAMS = {{2, 3}, {1, 3, 1}, {3, 0, 2}};

  private static SparseQuantizedTensor weight() {
    byte[] codes = new byte[INDICES.length];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) INDICES[i];
    }
    return new SparseQuantizedTensor(Shape.of(4, 6), CODEBOOK, POSITIONS, codes, 2, 3);
  }

  private static Model model(SparseQuantizedTensor weight, Architecture architecture) {
    int outputs = weight.shape().dim(0);
    return Model.ofTensors(
        architecture,
        Map.of(
            "fc.weight", weight, "fc.bias", new DenseTensor(Shape.of(outputs), new float[outputs])),
        Map.of());
  }

  /** Encoding 1's payload turned into encoding 3's: id 3, then B and the given streams. */
  private static byte[] contextPayload(int buckets, int[]... streams) {
    SparsePayload single =
        SparsePayload.of("fc.weight", new int[] {4, 6}, 2, 3, CODEBOOK, POSITIONS, INDICES);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] prefix = Arrays.copyOf(single.toBytes(), single.indexStreamOffset());
    prefix[2 + "fc.weight".length()] = 3;
    out.writeBytes(prefix);
    out.write(buckets);
    for (int[] stream : streams) {
      byte[] bytes = new byte[(int) HuffmanStreams.encode(stream, 4).serializedSize()];
      HuffmanStreams.encode(stream, 4).writeTo(ByteBuffer.wrap(bytes));
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  /** A file holding {@code payload} as fc.weight's section. */
  private static byte[] fileWith(byte[] payload) {
    SectionedFile file = SectionedFile.parse(ModelFile.toBytes(model(weight(), FC_4X6)));
    return file.replace(1, payload).toBytes();
  }

  @Test
  void theWritersContextsAreTheSpecsRule() {
    assertArrayEquals(CONTEXTS, SparseQuantizedCodec.contexts(POSITIONS, INDICES, 2, 2));
  }

  @Test
  void aHandAssembledPayloadReadsAsTheTensorItDescribes() throws ModelFormatException {
    byte[] bytes = fileWith(contextPayload(2, STREAMS));
    ModelFile.Contents contents =
        new ModelFile.Contents(
            ModelFile.fromBytes(bytes, SOURCE), ModelFile.inspect(bytes, SOURCE));
    assertEquals(weight(), contents.model().tensor("fc.weight"));
    TensorLayout layout = contents.layout().tensors().getFirst();
    assertEquals(TensorEncoding.SPARSE_QUANTIZED_CONTEXT, layout.encoding());
    long payloadBits = 0;
    long tables = HuffmanStreams.encode(SparsePayload.gapSymbols(POSITIONS, 3), 8).serializedSize();
    tables -= HuffmanStreams.encode(SparsePayload.gapSymbols(POSITIONS, 3), 8).payload().length;
    for (int[] stream : STREAMS) {
      var encoded = HuffmanStreams.encode(stream, 4);
      payloadBits += encoded.payloadBits();
      tables += encoded.serializedSize() - encoded.payload().length;
    }
    assertEquals(payloadBits, layout.indexPayloadBits());
    assertEquals(tables, layout.huffmanTableBytes());
    long sum = 0;
    for (long bytesOfComponent : contents.layout().components().values()) {
      sum += bytesOfComponent;
    }
    assertEquals(bytes.length, sum, "components cover the file");
  }

  /** A 30×200 layer in runs of stored weights whose indices drift by at most one step. */
  private static SparseQuantizedTensor smoothLayer(long seed, boolean smooth) {
    SplittableRandom random = new SplittableRandom(seed);
    int rows = 30;
    int columns = 200;
    int[] positions = new int[rows * columns];
    byte[] codes = new byte[rows * columns];
    int n = 0;
    int index = 16;
    for (int p = 0; p < rows * columns; p++) {
      if (random.nextInt(3) > 0) {
        index = smooth ? Math.clamp(index + random.nextInt(3) - 1, 0, 31) : random.nextInt(32);
        positions[n] = p;
        codes[n++] = (byte) index;
      }
    }
    float[] codebook = new float[32];
    for (int k = 0; k < 32; k++) {
      codebook[k] = (k - 15.5f) / 16;
    }
    return new SparseQuantizedTensor(
        Shape.of(rows, columns),
        codebook,
        Arrays.copyOf(positions, n),
        Arrays.copyOf(codes, n),
        5,
        2);
  }

  private static final Architecture FC_200X30 =
      new Architecture("ctx", Shape.of(200), List.of(new LayerSpec.FullyConnected("fc", 200, 30)));

  @Test
  void theWriterSplitsIndicesOnlyWhereThatIsSmallerAndTheFileRoundTrips()
      throws ModelFormatException {
    SparseQuantizedTensor smooth = smoothLayer(5, true);
    ParameterSpec spec = FC_200X30.parameters().getFirst();
    int buckets = SparseQuantizedCodec.contextBuckets(smooth);
    assertTrue(buckets >= 1, "neighbours drift by one step: split streams pay");
    ByteWriter single = new ByteWriter();
    SparseQuantizedCodec.write(single, smooth, 0);
    ByteWriter split = new ByteWriter();
    SparseQuantizedCodec.write(split, smooth, buckets);
    assertTrue(split.size() < single.size(), split.size() + " vs " + single.size());
    // The section payload: name, id and shape (2 + 9 + 1 + 9 bytes), then the data.
    assertEquals(21 + split.size(), ModelFile.encodedBytes(spec, smooth));

    byte[] bytes = ModelFile.toBytes(model(smooth, FC_200X30));
    assertEquals(4, bytes[10], "minor version 4");
    assertArrayEquals(bytes, ModelFile.toBytes(model(smooth, FC_200X30)), "deterministic");
    ModelFileRoundTripTest.assertSameModel(
        model(smooth, FC_200X30), ModelFile.fromBytes(bytes, SOURCE));
    assertEquals(
        TensorEncoding.SPARSE_QUANTIZED_CONTEXT,
        ModelFile.inspect(bytes, SOURCE).tensors().getFirst().encoding());

    SparseQuantizedTensor independent = smoothLayer(5, false);
    assertEquals(0, SparseQuantizedCodec.contextBuckets(independent));
    byte[] plain = ModelFile.toBytes(model(independent, FC_200X30));
    assertEquals(1, plain[10], "independent indices keep encoding 1 and version 1.1");
    assertEquals(
        TensorEncoding.SPARSE_QUANTIZED,
        ModelFile.inspect(plain, SOURCE).tensors().getFirst().encoding());
  }

  @Test
  void badBucketCountsAndStreamsAreRejectedWhereTheyAre() {
    int bucketsAt = fileOffsetOfPayload() + contextPayload(0).length - 1;
    for (int buckets : new int[] {0, 17, 255}) {
      ModelFormatException e = rejects(fileWith(contextPayload(buckets, STREAMS)));
      assertMessage(e, "context buckets " + buckets + " is outside [1, 4]");
      assertEquals(bucketsAt, e.offset());
    }
    // q = 2: a fifth bucket would hold no index; B = 4 puts each index in a stream of its own.
    ModelFormatException tooMany =
        rejects(fileWith(contextPayload(5, STREAMS[0], STREAMS[1], STREAMS[2], new int[0])));
    assertMessage(tooMany, "context buckets 5 is outside [1, 4]");
    assertEquals(bucketsAt, tooMany.offset());
    for (int b = 1; b <= 4; b++) {
      int buckets = b;
      int[] contexts = SparseQuantizedCodec.contexts(POSITIONS, INDICES, 2, buckets);
      int[][] streams = new int[buckets + 1][];
      for (int c = 0; c <= buckets; c++) {
        int stream = c;
        streams[c] =
            IntStream.range(0, INDICES.length)
                .filter(j -> contexts[j] == stream)
                .map(j -> INDICES[j])
                .toArray();
      }
      assertEquals(
          weight(),
          assertDoesNotThrow(
                  () -> ModelFile.fromBytes(fileWith(contextPayload(buckets, streams)), SOURCE))
              .tensor("fc.weight"),
          "B = " + buckets);
    }
    assertMessage(
        rejects(fileWith(contextPayload(2, new int[] {2, 3}, new int[] {1, 3, 1}, new int[] {3}))),
        "index streams hold 6 symbols for 8 non-zeros");
    assertMessage(
        rejects(fileWith(contextPayload(2, new int[] {2, 3}, new int[] {1, 3, 1, 0, 0, 0, 0}))),
        "index stream 1 has 7 symbols for the 6 non-zeros left");
    // The right counts in total, but element 4 (after index 0) needs a second symbol of stream 0.
    ModelFormatException e =
        rejects(
            fileWith(
                contextPayload(2, new int[] {2}, new int[] {1, 3, 1}, new int[] {3, 0, 2, 3})));
    assertMessage(e, "index stream 0 has 1 symbols, but non-zero 4 needs one more");
    assertEquals(bucketsAt + 1, e.offset(), "at stream 0");
  }

  private static int fileOffsetOfPayload() {
    SectionedFile file = SectionedFile.parse(ModelFile.toBytes(model(weight(), FC_4X6)));
    return file.offsetOf(1) + 16;
  }

  @Test
  void damageBehindAValidCrcIsRejectedOrReadAsAValidModel() {
    byte[] bytes = ModelFile.toBytes(model(smoothLayer(7, true), FC_200X30));
    SectionedFile file = SectionedFile.parse(bytes);
    byte[] original = file.sections().get(1).payload();
    SplittableRandom random = new SplittableRandom(3);
    int rejected = 0;
    int total = 2000;
    for (int t = 0; t < total; t++) {
      byte[] payload = original.clone();
      payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
      rejected +=
          SparseQuantizedCorruptionTest.readsOrRejects(file.replace(1, payload).toBytes()) ? 0 : 1;
    }
    assertTrue(rejected > 0, "some damage is structural");
    for (int length = 0; length < original.length; length += 7) {
      rejects(file.replace(1, Arrays.copyOf(original, length)).toBytes());
    }
  }
}
