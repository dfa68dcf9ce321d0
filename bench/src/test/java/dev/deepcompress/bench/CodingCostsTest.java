package dev.deepcompress.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Costs worked out by hand on tiny inputs. */
class CodingCostsTest {
  /** Positions 0, 7, 8, 9 of docs/model-format.md §11.2: runs 0, 6, 0, 0. */
  private static final long[] SPEC_RUNS = CodingCosts.histogram(new int[] {0, 6, 0, 0});

  /** Runs 0, 2, 0, 4 (positions 0, 3, 4, 9). */
  private static final long[] RUNS = {2, 0, 1, 0, 1};

  @Test
  void runLengthsAreTheZerosBeforeEachStoredElement() {
    int[] runs = CodingCosts.runLengths(new int[] {0, 3, 4, 9});
    assertArrayEquals(new int[] {0, 2, 0, 4}, runs);
    assertArrayEquals(RUNS, CodingCosts.histogram(runs));
  }

  @Test
  void format13StreamsCostWhatTheSpecExampleListsByteForByte() {
    // §11.2: gap stream = 4-byte table, 12 bytes of counts, 1 payload byte; likewise the indices.
    assertEquals(17, CodingCosts.fillerHuffmanBytes(SPEC_RUNS, 2));
    assertEquals(17, CodingCosts.huffmanStreamBytes(new long[] {1, 1, 2, 0}, 0));
  }

  @Test
  void entropyOfTwoOneOneIsSixBits() {
    assertEquals(6.0, CodingCosts.entropyBits(new long[] {2, 1, 1}), 1e-12);
    assertEquals(1, CodingCosts.entropyBytes(new long[] {2, 1, 1}));
  }

  @Test
  void riceGolombAndGammaCodeLengths() {
    // Rice k = 1: runs 0, 0 take 2 bits each, 2 takes 3, 4 takes 4: 11 bits = 2 bytes, + 12 + 1.
    assertEquals(15, CodingCosts.riceBytes(RUNS, 1));
    // Rice k = 2: 3 + 3 + 3 + 4 = 13 bits; k = 0: 1 + 1 + 3 + 5 = 10 bits; every k ties at 2 bytes.
    assertEquals(new CodingCosts.Best("k=0", 15), CodingCosts.bestRice(RUNS));
    // Golomb m = 3 (remainder 0 in 1 bit, 1 and 2 in 2): 2 + 2 + 3 + 4 = 11 bits.
    assertEquals(15, CodingCosts.golombBytes(RUNS, 3));
    // Golomb m = 1 is unary: runs 0, 6, 0, 0 take 1 + 7 + 1 + 1 bits.
    assertEquals(2 + 13, CodingCosts.golombBytes(SPEC_RUNS, 1));
    assertEquals(List.of(1, 3, 3, 5, 7), List.of(gamma(1), gamma(2), gamma(3), gamma(4), gamma(8)));
    // Elias gamma of run + 1: 1 + 1 + 3 + 5 = 10 bits.
    assertEquals(15, CodingCosts.expGolombBytes(RUNS, 0));
    // Exp-Golomb k = 1: gamma(1) + 1, twice, gamma(2) + 1, gamma(3) + 1 = 2 + 2 + 4 + 4 bits.
    assertEquals(15, CodingCosts.expGolombBytes(RUNS, 1));
    // One run of 8, exp-Golomb k = 1: gamma(5) + 1 = 6 bits.
    assertEquals(1 + 13, CodingCosts.expGolombBytes(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 1}, 1));
  }

  private static int gamma(long x) {
    return CodingCosts.gammaBits(x);
  }

  @Test
  void escapeHuffmanCodesLongRunsAfterAnEscapeSymbol() {
    // E = 1: symbols 0, 1(escape), 0, 0 with 1-bit codewords (4 bits), then gamma(6) = 5 bits:
    // 2 payload bytes; table: alphabet 2, L = 1, two 1-bit fields: 4 bytes; + 12 counts + 1.
    assertEquals(2 + 4 + 12 + 1, CodingCosts.escapeHuffmanBytes(SPEC_RUNS, 1));
  }

  @Test
  void staticAnsChargesQuantisedFrequenciesAndItsTable() {
    // Scale 4: frequencies 3 and 1 exactly; payload 3 (2 − log2 3) + 2 = 3.245 bits, + 32 flushed:
    // 36 bits = 5 bytes; table 4 + gamma(4) + gamma(2) = 12 bits = 2 bytes; + 12 counts.
    assertEquals(5 + 2 + 12, CodingCosts.staticAnsBytes(new long[] {3, 1}, 2, 0));
    assertArrayEquals(new long[] {3, 0, 1}, CodingCosts.normalise(new long[] {5, 0, 1}, 4));
    assertNull(CodingCosts.normalise(new long[] {1, 1, 1, 1, 1}, 4), "5 symbols in 4 slots");
    assertEquals(-1, CodingCosts.staticAnsBytes(new long[] {1, 1, 1, 1, 1}, 2, 0));
  }

  @Test
  void adaptiveCodeLengthsAreKrichevskyTrofimov() {
    // 0, 0, 1: 1/2 · 3/4 · 1/6 = 1/16.
    assertEquals(4.0, CodingCosts.adaptiveBits(new int[] {0, 0, 1}, 2, 0), 1e-12);
    assertEquals(bytesWithFlush(4), CodingCosts.adaptiveBytes(new int[] {0, 0, 1}, 2, 0));
    // Order 1, 0 1 1 0: context 0 sees 0 then 1 (1/2 · 1/4), context 1 sees 1 then 0 (likewise).
    assertEquals(6.0, CodingCosts.adaptiveBits(new int[] {0, 1, 1, 0}, 2, 1), 1e-12);
    // Order 0: 1/2 · 1/4 · 1/2 · 3/8 = 3/128.
    assertEquals(
        Math.log(128.0 / 3) / Math.log(2),
        CodingCosts.adaptiveBits(new int[] {0, 1, 1, 0}, 2, 0),
        1e-12);
  }

  @Test
  void neighbourContextIsTheIndexDistanceElementsBackOrNone() {
    int[] positions = {0, 1, 3};
    int[] indices = {1, 1, 0};
    assertArrayEquals(new int[] {2, 1, 2}, CodingCosts.neighbourContexts(positions, indices, 2, 1));
    assertArrayEquals(new int[] {2, 2, 1}, CodingCosts.neighbourContexts(positions, indices, 2, 2));
    // d = 1: context "none" sees 1 then 0 (1/2 · 1/4), context 1 sees 1 (1/2): 4 bits.
    assertEquals(bytesWithFlush(4), CodingCosts.neighbourContextBytes(positions, indices, 2, 1));
  }

  @Test
  void contextStreamsSplitIndicesByTheLeftNeighboursBucket() {
    // Positions 0, 1, 2, 5, 6, 7, 8, 20 with indices 3, 1, 2, 0, 3, 3, 1, 2, q = 2, B = 2: streams
    // {2, 3}, {1, 3, 1}, {3, 0, 2} (docs/model-format.md §5.5). Each has a 4-byte table (two or
    // three used symbols), 12 bytes of counts and one payload byte of 2, 3 and 5 bits.
    int[] runs = CodingCosts.runLengths(new int[] {0, 1, 2, 5, 6, 7, 8, 20});
    int[] indices = {3, 1, 2, 0, 3, 3, 1, 2};
    assertEquals(
        new CodingCosts.ContextStreams(1 + 3 * 17, 10, 3 * 16),
        CodingCosts.contextStreams(runs, indices, 2, 2));
  }

  @Test
  void bitmapsCoverElementsUpToTheLastStoredOne() {
    assertEquals(2, CodingCosts.bitmapBytes(new int[] {0, 7, 8, 9}));
    assertEquals(1, CodingCosts.bitmapBytes(new int[] {0, 3}));
    // Bits 1 0 0 1: 1/2 · 1/4 · 1/2 · 3/8 = 3/128.
    assertEquals(
        bytesWithFlush((long) Math.ceil(Math.log(128.0 / 3) / Math.log(2))),
        CodingCosts.adaptiveBitmapBytes(new int[] {0, 3}));
  }

  private static long bytesWithFlush(long bits) {
    return CodingCosts.bytes(bits + CodingCosts.CODER_FLUSH_BITS) + CodingCosts.STREAM_COUNTS_BYTES;
  }

  @Test
  void format13CostsRecomputedAgreeWithTheWrittenFile(@TempDir Path dir) throws Exception {
    SparseQuantizedTensor weight = PrunedLayer.weightShared(40, 300, 0.07, 5, 11);
    Model model =
        Model.ofTensors(
            new Architecture(
                "m", Shape.of(300), List.of(new LayerSpec.FullyConnected("fc", 300, 40))),
            Map.of("fc.weight", weight, "fc.bias", new DenseTensor(Shape.of(40), new float[40])),
            Map.of());
    Path file = dir.resolve("m.dcmodel");
    ModelFile.write(model, file);
    ModelFile.Contents contents = ModelFile.readContents(file);
    List<CodingBounds.Layer> layers = CodingBounds.layers(file.toString(), contents);
    assertEquals(1, layers.size());
    var layout = contents.layout().tensors().getFirst();
    assertEquals(
        layout.gapPayloadBytes() + layout.indexPayloadBytes() + layout.huffmanTableBytes(),
        CodingBounds.baselineTotal(layers));
    assertEquals(Files.size(file), contents.layout().fileBytes());
  }
}
