package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPARSE_QUANTIZED tensors through the file: exact round trips and deterministic bytes. */
class SparseQuantizedFileTest {
  @TempDir Path dir;

  private static final int ROWS = 23;
  private static final int COLUMNS = 41;
  private static final Architecture ONE_LAYER =
      new Architecture(
          "one", Shape.of(COLUMNS), List.of(new LayerSpec.FullyConnected("fc", COLUMNS, ROWS)));

  /** {@code count} distinct positions out of {@code elements}, ascending. */
  private static int[] samplePositions(SplittableRandom random, int elements, int count) {
    int[] positions = new int[count];
    int chosen = 0;
    // Selection sampling: each element is taken with probability (still needed)/(still left).
    for (int i = 0; i < elements && chosen < count; i++) {
      if (random.nextInt(elements - i) < count - chosen) {
        positions[chosen++] = i;
      }
    }
    return positions;
  }

  private static Model withWeight(Tensor weight, SplittableRandom random) {
    float[] bias = new float[ROWS];
    for (int i = 0; i < ROWS; i++) {
      bias[i] = (float) random.nextGaussian();
    }
    return Model.ofTensors(
        ONE_LAYER,
        Map.of("fc.weight", weight, "fc.bias", new DenseTensor(Shape.of(ROWS), bias)),
        Map.of());
  }

  private static void assertBitIdentical(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
    }
  }

  @Test
  void everyDensityIndexWidthAndGapWidthRoundTrips() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    int elements = ROWS * COLUMNS;
    int[] counts = {0, 1, elements / 100, elements / 10, elements};
    for (int count : counts) {
      for (int indexBits = 1; indexBits <= 8; indexBits++) {
        for (int gapBits = 1; gapBits <= 8; gapBits++) {
          int[] positions = samplePositions(random, elements, count);
          // Alternate single-entry codebooks with full-width ones.
          int codebookSize =
              count == 0 && random.nextBoolean()
                  ? 0
                  : (gapBits % 2 == 0 ? 1 : 1 + random.nextInt(1 << indexBits));
          float[] codebook = RandomSparse.codebook(random, codebookSize);
          byte[] codes = new byte[count];
          for (int i = 0; i < count; i++) {
            codes[i] = (byte) random.nextInt(codebookSize);
          }
          SparseQuantizedTensor weight =
              new SparseQuantizedTensor(
                  Shape.of(ROWS, COLUMNS), codebook, positions, codes, indexBits, gapBits);
          Model model = withWeight(weight, random);
          String where = count + " non-zeros, " + indexBits + "/" + gapBits + " bits";
          byte[] bytes = ModelFile.toBytes(model);
          Model read = ModelFile.fromBytes(bytes, where);
          assertEquals(weight, read.tensor("fc.weight"), where);
          assertBitIdentical(weight.toDense(), read.parameter("fc.weight"));
          ModelFileRoundTripTest.assertSameModel(model, read);
          // The writer's gap symbols are the specification's: the file holds exactly that many.
          TensorLayout layout = ModelFile.inspect(bytes, where).tensors().get(0);
          int symbols = SparsePayload.gapSymbols(positions, gapBits).length;
          assertEquals(symbols - count, layout.fillers(), where);
        }
      }
    }
  }

  @Test
  void gapsLongerThanAFieldUseFillers() throws IOException {
    int elements = ROWS * COLUMNS;
    SplittableRandom random = new SplittableRandom(5);
    // First and last element only: one gap of elements-2 zeros, far beyond any field.
    int[][] cases = {{elements - 1}, {0, elements - 1}, {0}, {7, 8, 9}, {300, 301, 942}};
    for (int[] positions : cases) {
      for (int gapBits = 1; gapBits <= 8; gapBits++) {
        SparseQuantizedTensor weight =
            new SparseQuantizedTensor(
                Shape.of(ROWS, COLUMNS),
                new float[] {0.25f},
                positions,
                new byte[positions.length],
                3,
                gapBits);
        byte[] bytes = ModelFile.toBytes(withWeight(weight, random));
        assertEquals(weight, ModelFile.fromBytes(bytes, "fillers").tensor("fc.weight"));
        int filler = (1 << gapBits) - 1;
        int expectedFillers = 0;
        int previous = -1;
        for (int p : positions) {
          expectedFillers += (p - previous - 1) / filler;
          previous = p;
        }
        assertEquals(
            expectedFillers, ModelFile.inspect(bytes, "fillers").tensors().get(0).fillers());
      }
    }
  }

  @Test
  void fromDenseValuesSurviveTheFileBitForBit() throws IOException {
    SplittableRandom random = new SplittableRandom(8);
    ParameterSpec spec = ONE_LAYER.parameters().get(0);
    for (int trial = 0; trial < 50; trial++) {
      int indexBits = 1 + random.nextInt(8);
      float[] codebook = RandomSparse.codebook(random, 1 << indexBits);
      float[] values = new float[spec.shape().elementCount()];
      double density = random.nextDouble();
      for (int i = 0; i < values.length; i++) {
        if (random.nextDouble() < density) {
          values[i] = codebook[random.nextInt(codebook.length)];
        }
      }
      Model model =
          withWeight(
              SparseQuantizedTensor.fromDense(spec, values, indexBits, 1 + random.nextInt(8)),
              random);
      Path file = dir.resolve("t" + trial + ModelFile.EXTENSION);
      ModelFile.write(model, file);
      assertBitIdentical(values, ModelFile.read(file).parameter("fc.weight"));
    }
  }

  @Test
  void theSameModelAlwaysGivesTheSameBytes() throws IOException {
    Architecture architecture =
        new Architecture(
            "three",
            Shape.of(30),
            List.of(
                new LayerSpec.FullyConnected("a", 30, 20),
                new LayerSpec.Relu("r"),
                new LayerSpec.FullyConnected("b", 20, 10)));
    for (int seed = 0; seed < 20; seed++) {
      Model model = RandomSparse.model(architecture, new SplittableRandom(seed));
      byte[] first = ModelFile.toBytes(model);
      assertArrayEquals(first, ModelFile.toBytes(model));
      // An equal model built from copies, and the model read back, write the same bytes.
      Map<String, Tensor> copies = new LinkedHashMap<>();
      model
          .tensors()
          .forEach(
              (name, t) ->
                  copies.put(
                      name,
                      switch (t) {
                        case DenseTensor d -> new DenseTensor(d.shape(), d.values().clone());
                        case SparseQuantizedTensor s ->
                            new SparseQuantizedTensor(
                                s.shape(),
                                s.codebook(),
                                s.positions(),
                                s.codes(),
                                s.indexBits(),
                                s.gapBits());
                        case QuantizedTensor q ->
                            new QuantizedTensor(
                                q.shape(),
                                q.levels(),
                                q.positions(),
                                q.codes(),
                                q.indexBits(),
                                q.gapBits());
                      }));
      assertArrayEquals(first, ModelFile.toBytes(Model.ofTensors(architecture, copies, Map.of())));
      assertArrayEquals(first, ModelFile.toBytes(ModelFile.fromBytes(first, "seed " + seed)));
      Path file = dir.resolve("s" + seed + ModelFile.EXTENSION);
      ModelFile.write(model, file);
      assertArrayEquals(first, Files.readAllBytes(file));
    }
  }

  @Test
  void theMinorVersionIsTheLowestThatHasEveryEncodingUsed() throws IOException {
    SplittableRandom random = new SplittableRandom(2);
    Model sparse =
        withWeight(RandomSparse.tensor(random, Shape.of(ROWS, COLUMNS), 0.1, 4, 5), random);
    Model dense = RandomSparse.decoded(sparse);
    assertEquals(1, minorVersion(ModelFile.toBytes(sparse)));
    assertEquals(0, minorVersion(ModelFile.toBytes(dense)));
    assertNotEquals(ModelFile.toBytes(sparse).length, ModelFile.toBytes(dense).length);
    ModelFileRoundTripTest.assertSameModel(
        dense, ModelFile.fromBytes(ModelFile.toBytes(sparse), "s"));
  }

  private static int minorVersion(byte[] file) {
    return (file[10] & 0xFF) | (file[11] & 0xFF) << 8;
  }
}
