package dev.deepcompress.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The value through the file: what is read back is exactly the quantizer's output. */
class CompressedTensorTest {
  private static final int ROWS = 6;
  private static final int COLUMNS = 10;
  private static final Architecture ONE_LAYER =
      new Architecture(
          "one", Shape.of(COLUMNS), List.of(new LayerSpec.FullyConnected("fc", COLUMNS, ROWS)));
  private static final ParameterSpec WEIGHT = ONE_LAYER.parameters().get(0);

  /** A mask that keeps exactly {@code positions}. */
  private static Mask keeping(int... positions) {
    float[] marks = new float[ROWS * COLUMNS];
    for (int p : positions) {
      marks[p] = 1;
    }
    return Mask.all(marks.length).narrowedTo(marks, 0.5);
  }

  /** Writes {@code tensor} as the model's weight, reads the file back and returns the weight. */
  private static SparseQuantizedTensor throughTheFile(CompressedTensor tensor, int gapBits)
      throws ModelFormatException {
    Model model =
        Model.ofTensors(
            ONE_LAYER,
            Map.of(
                "fc.weight",
                tensor.toTensor(gapBits),
                "fc.bias",
                new DenseTensor(Shape.of(ROWS), new float[ROWS])),
            Map.of());
    return (SparseQuantizedTensor)
        ModelFile.fromBytes(ModelFile.toBytes(model), "test").tensor("fc.weight");
  }

  private static void assertHoldsExactly(
      CompressedTensor tensor, Codebook codebook, SparseQuantizedTensor stored) {
    assertArrayEquals(tensor.mask().keptPositions(), stored.positions(), "positions");
    float[] centroids = codebook.centroids();
    float[] table = stored.codebook();
    assertEquals(centroids.length, table.length, "codebook length");
    for (int k = 0; k < centroids.length; k++) {
      assertEquals(
          Float.floatToRawIntBits(centroids[k]), Float.floatToRawIntBits(table[k]), "entry " + k);
    }
    int[] indices = codebook.indices();
    byte[] codes = stored.codes();
    assertEquals(indices.length, codes.length, "index count");
    for (int j = 0; j < indices.length; j++) {
      assertEquals(indices[j], Byte.toUnsignedInt(codes[j]), "index of kept weight " + j);
    }
    assertEquals(codebook.bits(), stored.indexBits());
    assertArrayEquals(tensor.dequantized(), stored.toDense());
  }

  @Test
  void aCentroidOfZeroIsStoredWithEveryWeightThatUsesIt() throws Exception {
    Mask mask = keeping(3, 7, 8, 20, 59);
    // Weights 7 and 20 retrained onto a centroid of exactly 0 (one +0.0, one -0.0): still kept.
    Codebook codebook =
        new Codebook(2, new float[] {0f, 0.5f, -0f, -0.25f}, new int[] {1, 0, 3, 2, 1});
    CompressedTensor tensor = CompressedTensor.pruned(WEIGHT, mask).withQuantization(codebook);
    SparseQuantizedTensor stored = throughTheFile(tensor, 3);
    assertHoldsExactly(tensor, codebook, stored);
    assertEquals(5, stored.nonZeroCount(), "a zero-valued kept weight is a stored element");
  }

  @Test
  void twoEqualCentroidsStayTwoEntries() throws Exception {
    Mask mask = keeping(0, 1, 2, 30, 31);
    Codebook codebook =
        new Codebook(3, new float[] {-0.5f, 0.125f, 0.125f, 0.75f}, new int[] {2, 1, 0, 3, 2});
    CompressedTensor tensor = CompressedTensor.pruned(WEIGHT, mask).withQuantization(codebook);
    assertHoldsExactly(tensor, codebook, throughTheFile(tensor, 2));
  }

  @Test
  void unsortedAndUnusedEntriesAreStoredAsTheyAre() throws Exception {
    Mask mask = keeping(5, 6, 50);
    Codebook codebook =
        new Codebook(3, new float[] {0.3f, -0.1f, 0.9f, -0.7f, 0.2f}, new int[] {3, 0, 3});
    CompressedTensor tensor = CompressedTensor.pruned(WEIGHT, mask).withQuantization(codebook);
    assertHoldsExactly(tensor, codebook, throughTheFile(tensor, 4));
  }

  @Test
  void anEmptyTensorIsStoredEmpty() throws Exception {
    CompressedTensor none = CompressedTensor.pruned(WEIGHT, keeping());
    Codebook empty = new Codebook(4, new float[0], new int[0]);
    SparseQuantizedTensor stored = throughTheFile(none.withQuantization(empty), 5);
    assertHoldsExactly(none.withQuantization(empty), empty, stored);
    assertEquals(0, stored.nonZeroCount());
    // A codebook no weight uses is still the quantizer's: stored too.
    Codebook unused = new Codebook(1, new float[] {0.25f, -0.25f}, new int[0]);
    assertHoldsExactly(
        none.withQuantization(unused), unused, throughTheFile(none.withQuantization(unused), 1));
  }

  @Test
  void randomValuesSurviveTheFileExactly() throws Exception {
    SplittableRandom random = new SplittableRandom(12);
    for (int trial = 0; trial < 200; trial++) {
      int bits = 1 + random.nextInt(Quantized.MAX_BITS);
      float[] marks = new float[ROWS * COLUMNS];
      for (int i = 0; i < marks.length; i++) {
        marks[i] = random.nextInt(4) == 0 ? 1 : 0;
      }
      Mask mask = Mask.all(marks.length).narrowedTo(marks, 0.5);
      float[] centroids = new float[1 + random.nextInt(1 << bits)];
      for (int k = 0; k < centroids.length; k++) {
        // Few distinct values, so equal entries and zeros are common.
        centroids[k] = (random.nextInt(7) - 3) / 4f;
      }
      int[] indices = new int[mask.keptCount()];
      for (int j = 0; j < indices.length; j++) {
        indices[j] = random.nextInt(centroids.length);
      }
      Codebook codebook = new Codebook(bits, centroids, indices);
      CompressedTensor tensor = CompressedTensor.pruned(WEIGHT, mask).withQuantization(codebook);
      assertHoldsExactly(tensor, codebook, throughTheFile(tensor, 1 + random.nextInt(8)));
    }
  }

  @Test
  void theValueIsCheckedWhereItIsMade() {
    CompressedTensor pruned = CompressedTensor.pruned(WEIGHT, keeping(1, 2, 3));
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () -> pruned.withQuantization(new Codebook(2, new float[] {1, 2}, new int[] {0, 1})));
    assertEquals("fc.weight: 2 quantized weights, but the mask keeps 3", count.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> CompressedTensor.pruned(WEIGHT, Mask.all(ROWS * COLUMNS + 1)));
    IllegalStateException unquantized =
        assertThrows(IllegalStateException.class, () -> pruned.toTensor(5));
    assertTrue(unquantized.getMessage().contains("fc.weight"), unquantized.getMessage());
    assertTrue(pruned.quantization().isEmpty());
  }

  @Test
  void aCodebookHoldsOnlyWhatTheFileCanStore() {
    assertThrows(IllegalArgumentException.class, () -> new Codebook(0, new float[0], new int[0]));
    IllegalArgumentException wide =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Codebook(Quantized.MAX_BITS + 1, new float[0], new int[0]));
    assertEquals("index bits must be in 1..8, got 9", wide.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new Codebook(2, new float[5], new int[] {0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Codebook(2, new float[] {Float.NaN}, new int[] {0}));
    IllegalArgumentException index =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Codebook(2, new float[] {1, 2}, new int[] {0, 1, 2}));
    assertEquals("index 2 of kept weight 2 is outside a codebook of 2", index.getMessage());
  }
}
