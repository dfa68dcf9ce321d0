package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path dir;

  @Test
  void jsonHoldsTheTensorTableAndTheBytesByComponent() throws Exception {
    Path file = TestModels.compressedLenet300100(dir);
    CliRun run = CliRun.of("inspect", "--json", file.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.err());
    Map<String, Object> root = JsonReader.object(JsonReader.parse(run.out()));

    Model model = ModelFile.read(file);
    long fileBytes = Files.size(file);
    assertEquals(
        List.of(
            "file",
            "model",
            "input_shape",
            "input_preprocessing",
            "parameters",
            "dense_bytes",
            "file_bytes",
            "ratio",
            "metadata",
            "tensors",
            "components"),
        List.copyOf(root.keySet()));
    assertEquals(file.toString(), root.get("file"));
    assertEquals("lenet-300-100", root.get("model"));
    assertEquals(List.of(1.0, 28.0, 28.0), root.get("input_shape"));
    assertEquals(null, root.get("input_preprocessing"), "none recorded");
    assertEquals(266_610.0, root.get("parameters"));
    assertEquals(4 * 266_610.0, root.get("dense_bytes"));
    assertEquals((double) fileBytes, root.get("file_bytes"));
    assertEquals(4 * 266_610.0 / fileBytes, (double) root.get("ratio"), 1e-12);
    assertEquals(Map.of("seed", "2"), root.get("metadata"));

    Map<String, Object> components = JsonReader.object(root.get("components"));
    assertEquals(FileLayout.Component.values().length, components.size());
    double sum = 0;
    for (Object bytes : components.values()) {
      sum += (double) bytes;
    }
    assertEquals(fileBytes, sum, 0, "components add up to the file");
    assertEquals(0.0, components.get("dense_weights"));
    assertEquals(4.0 * (300 + 100 + 10), components.get("biases"));

    FileLayout layout = ModelFile.inspect(file);
    List<Object> tensors = JsonReader.array(root.get("tensors"));
    assertEquals(layout.tensors().size(), tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      Map<String, Object> t = JsonReader.object(tensors.get(i));
      TensorLayout expected = layout.tensors().get(i);
      String name = expected.name();
      assertEquals(name, t.get("name"));
      float[] values = model.parameter(name);
      int nonZeros = 0;
      for (float v : values) {
        nonZeros += v != 0 ? 1 : 0;
      }
      List<Double> shape =
          Arrays.stream(expected.shape().dims()).mapToObj(d -> (double) d).toList();
      assertEquals(shape, t.get("shape"), name);
      assertEquals((double) values.length, t.get("elements"), name);
      assertEquals((double) nonZeros, t.get("non_zeros"), name);
      assertEquals(100.0 * nonZeros / values.length, (double) t.get("kept_pct"), 1e-9, name);
      assertEquals((double) expected.sectionBytes(), t.get("bytes"), name);
      if (name.endsWith(".weight")) {
        assertEquals("weight", t.get("role"), name);
        assertEquals("sparse_quantized", t.get("encoding"), name);
        assertEquals((double) nonZeros, t.get("stored"), name);
        assertEquals(16.0, t.get("codebook_entries"), name);
        assertEquals(4.0, t.get("index_bits"), name);
        assertEquals(5.0, t.get("gap_bits"), name);
        assertEquals((double) expected.fillers(), t.get("fillers"), name);
        assertEquals(
            (double) expected.indexPayloadBits() / nonZeros,
            (double) t.get("index_bits_per_weight_huffman"),
            1e-12,
            name);
        assertEquals(
            (double) expected.gapPayloadBits() / nonZeros,
            (double) t.get("position_bits_per_weight_huffman"),
            1e-12,
            name);
      } else {
        assertEquals("bias", t.get("role"), name);
        assertEquals("dense_fp32", t.get("encoding"), name);
        assertEquals((double) values.length, t.get("stored"), name);
        for (String absent :
            List.of(
                "codebook_entries",
                "index_bits",
                "gap_bits",
                "fillers",
                "index_bits_per_weight_huffman",
                "position_bits_per_weight_huffman")) {
          assertNull(t.get(absent), name + " " + absent);
          assertEquals(true, t.containsKey(absent), name + " " + absent);
        }
      }
    }
  }
}
