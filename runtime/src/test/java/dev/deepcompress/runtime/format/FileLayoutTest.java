package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.format.FileLayout.Component;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Levels;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.RandomModels;
import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size accounting: every byte in exactly one component, each computed here independently. */
class FileLayoutTest {
  @TempDir Path dir;

  private static int[] unsigned(byte[] codes) {
    int[] out = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = Byte.toUnsignedInt(codes[i]);
    }
    return out;
  }

  private static long tableBytes(EncodedStream stream) {
    return stream.serializedSize() - stream.payload().length;
  }

  @Test
  void componentsAreExactAndSumToTheFileSize() throws IOException {
    for (int seed = 0; seed < 60; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Architecture architecture = RandomModels.architecture(new Random(seed));
      Model model = RandomSparse.model(architecture, random);
      byte[] bytes = ModelFile.toBytes(model);
      FileLayout layout = ModelFile.inspect(bytes, "seed " + seed);

      Map<Component, Long> expected = new EnumMap<>(Component.class);
      for (Component c : Component.values()) {
        expected.put(c, 0L);
      }
      SectionedFile sections = SectionedFile.parse(bytes);
      long other = 16;
      for (SectionedFile.Section section : sections.sections()) {
        other += 20 + (section.tag().equals("TENS") ? 0 : section.payload().length);
      }
      List<ParameterSpec> specs = architecture.parameters();
      List<SectionedFile.Section> tensorSections =
          sections.sections().stream().filter(s -> s.tag().equals("TENS")).toList();
      assertEquals(specs.size(), layout.tensors().size());
      for (int i = 0; i < specs.size(); i++) {
        ParameterSpec spec = specs.get(i);
        TensorLayout t = layout.tensors().get(i);
        assertEquals(spec.name(), t.name());
        assertEquals(spec.role(), t.role());
        assertEquals(spec.shape(), t.shape());
        assertEquals(20 + tensorSections.get(i).payload().length, t.sectionBytes());
        other += 2 + spec.name().getBytes(StandardCharsets.UTF_8).length + 1 + 1;
        other += 4L * spec.shape().rank();
        Tensor tensor = model.tensor(spec.name());
        switch (tensor) {
          case DenseTensor dense -> {
            Component c =
                spec.role() == ParameterSpec.Role.BIAS ? Component.BIASES : Component.DENSE_WEIGHTS;
            expected.merge(c, 4L * dense.values().length, Long::sum);
            assertEquals(TensorEncoding.DENSE_FP32, t.encoding());
            int nonZeros = 0;
            for (float v : dense.values()) {
              nonZeros += v != 0 ? 1 : 0;
            }
            assertEquals(nonZeros, t.nonZeros());
          }
          case SparseQuantizedTensor sparse -> {
            other += 1 + 1 + 4; // index bits, gap bits, non-zero count
            int n = sparse.nonZeroCount();
            int[] gapSymbols = SparsePayload.gapSymbols(sparse.positions(), sparse.gapBits());
            EncodedStream gaps = HuffmanStreams.encode(gapSymbols, 1 << sparse.gapBits());
            EncodedStream indices =
                HuffmanStreams.encode(unsigned(sparse.codes()), 1 << sparse.indexBits());
            expected.merge(Component.CODEBOOK_INDICES, (long) indices.payload().length, Long::sum);
            expected.merge(Component.POSITION_GAPS, (long) gaps.payload().length, Long::sum);
            expected.merge(Component.CODEBOOKS, 2L + 4L * sparse.codebook().length, Long::sum);
            expected.merge(
                Component.HUFFMAN_TABLES, tableBytes(gaps) + tableBytes(indices), Long::sum);

            assertEquals(TensorEncoding.SPARSE_QUANTIZED, t.encoding());
            assertEquals(n, t.nonZeros());
            assertEquals(sparse.indexBits(), t.indexBits());
            assertEquals(sparse.gapBits(), t.gapBits());
            assertEquals(gapSymbols.length - n, t.fillers());
            assertEquals(gaps.payloadBits(), t.gapPayloadBits());
            assertEquals(indices.payloadBits(), t.indexPayloadBits());
            if (n > 0) {
              assertEquals(sparse.indexBits(), t.fixedIndexBitsPerNonZero());
              assertEquals(
                  (double) sparse.gapBits() * gapSymbols.length / n,
                  t.fixedPositionBitsPerNonZero(),
                  1e-12);
              assertEquals((double) indices.payloadBits() / n, t.huffmanIndexBitsPerNonZero());
              assertEquals((double) gaps.payloadBits() / n, t.huffmanPositionBitsPerNonZero());
            } else {
              assertEquals(Double.NaN, t.huffmanIndexBitsPerNonZero());
            }
          }
          case QuantizedTensor quantized -> {
            other += 1 + 1 + 4 + 1; // index bits, gap bits, stored count, level kind
            int n = quantized.storedCount();
            EncodedStream indices =
                HuffmanStreams.encode(unsigned(quantized.codes()), 1 << quantized.indexBits());
            long tables = tableBytes(indices);
            long gapPayload = 0;
            if (!quantized.isDense()) {
              int[] gapSymbols =
                  SparsePayload.gapSymbols(quantized.positions(), quantized.gapBits());
              EncodedStream gaps = HuffmanStreams.encode(gapSymbols, 1 << quantized.gapBits());
              gapPayload = gaps.payload().length;
              tables += tableBytes(gaps);
              assertEquals(gapSymbols.length - n, t.fillers());
            }
            long levelBytes =
                switch (quantized.levels()) {
                  case Levels.Table table -> 2L + 4L * table.entries().length;
                  case Levels.Affine affine ->
                      4L + 1 + 4L * affine.scales().length + affine.zeroPoints().length;
                  case Levels.PowersOfTwo log -> 2;
                };
            boolean table = quantized.levels() instanceof Levels.Table;
            boolean bias = spec.role() == ParameterSpec.Role.BIAS;
            if (bias) {
              expected.merge(
                  Component.QUANTIZED_BIASES,
                  indices.payload().length + gapPayload + levelBytes + tables,
                  Long::sum);
            } else {
              expected.merge(
                  Component.CODEBOOK_INDICES, (long) indices.payload().length, Long::sum);
              expected.merge(Component.POSITION_GAPS, gapPayload, Long::sum);
              expected.merge(
                  table ? Component.CODEBOOKS : Component.QUANTIZER_PARAMETERS,
                  levelBytes,
                  Long::sum);
              expected.merge(Component.HUFFMAN_TABLES, tables, Long::sum);
            }
            assertEquals(TensorEncoding.QUANTIZED, t.encoding());
            assertEquals(n, t.nonZeros());
            assertEquals(quantized.gapBits(), t.gapBits());
            assertEquals(indices.payloadBits(), t.indexPayloadBits());
          }
        }
      }
      expected.put(Component.HEADER_AND_OTHER, other);
      assertEquals(expected, layout.components(), "seed " + seed);
      assertEquals(bytes.length, layout.fileBytes());
      long sum = 0;
      for (long b : layout.components().values()) {
        sum += b;
      }
      assertEquals(bytes.length, sum, "seed " + seed);
    }
  }

  @Test
  void inspectingAFileGivesTheSameLayout() throws IOException {
    Model model =
        RandomSparse.model(RandomModels.architecture(new Random(4)), new SplittableRandom(4));
    Path file = dir.resolve("m" + ModelFile.EXTENSION);
    ModelFile.write(model, file);
    assertEquals(ModelFile.inspect(ModelFile.toBytes(model), "m"), ModelFile.inspect(file));
  }
}
