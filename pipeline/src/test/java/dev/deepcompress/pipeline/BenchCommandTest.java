package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir Path dir;

  /** The three numbers of the table row that starts with {@code name}. */
  private static double[] row(String table, String name) {
    Matcher m =
        Pattern.compile(
                "^\\| "
                    + Pattern.quote(name)
                    + " \\| ([0-9.,]+) \\| ([0-9.,]+) \\| ([0-9.,]+) \\|$",
                Pattern.MULTILINE)
            .matcher(table);
    assertTrue(m.find(), "no row '" + name + "' in:\n" + table);
    return new double[] {
      Double.parseDouble(m.group(1).replace(",", "")),
      Double.parseDouble(m.group(2).replace(",", "")),
      Double.parseDouble(m.group(3).replace(",", ""))
    };
  }

  /** {@code bench FILE} with few runs, no warm-up time, batch 8 and one thread. */
  private static CliRun quickBench(Path file, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "bench",
                file.toString(),
                "--iterations",
                "5",
                "--warmup",
                "2",
                "--warmup-seconds",
                "0",
                "--batch",
                "8",
                "--threads",
                "1"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void timesTheCompressedAndTheDenseNetworkSideBySide() throws IOException {
    CliRun run = quickBench(TestModels.compressedLenet300100(dir));
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("lenet-300-100; kernel threads: 1"), run.out());
    assertTrue(run.out().contains("batch-8 (images/s)"), run.out());
    double[] compressed = row(run.out(), "compressed");
    double[] dense = row(run.out(), "dense decoding");
    double[] ratio = row(run.out(), "compressed / dense");
    for (int column = 0; column < 3; column++) {
      assertTrue(compressed[column] > 0 && dense[column] > 0, run.out());
      assertEquals(compressed[column] / dense[column], ratio[column], 0.01 + ratio[column] / 50);
    }
    assertTrue(compressed[1] >= compressed[0] && dense[1] >= dense[0], "p90 ≥ median");
    // Each weighted layer: compressed with its column-wise copy, against 4 bytes per weight.
    Matcher ip1 =
        Pattern.compile(
                "^\\| ip1 \\| compressed \\| ([0-9,]+) \\| dense GEMM \\| 940,800 \\|$",
                Pattern.MULTILINE)
            .matcher(run.out());
    assertTrue(ip1.find(), run.out());
    long ip1Bytes = Long.parseLong(ip1.group(1).replace(",", ""));
    assertTrue(ip1Bytes > 0 && ip1Bytes < 940_800 / 4, run.out());
    assertTrue(run.out().contains("| ip3 | compressed |"), run.out());
    assertFalse(run.out().contains("| relu1 |"), run.out());
  }

  @Test
  void jsonHoldsTheSameFiguresAsTheTables() throws IOException {
    Path file = TestModels.compressedLenet300100(dir);
    CliRun run = quickBench(file, "--json");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    Map<String, Object> root = JsonReader.object(JsonReader.parse(run.out()));
    assertEquals(
        List.of(
            "file",
            "model",
            "kernel_threads",
            "iterations",
            "warmup",
            "warmup_seconds",
            "batch",
            "compressed",
            "dense",
            "compressed_over_dense",
            "layers"),
        List.copyOf(root.keySet()));
    assertEquals(file.toString(), root.get("file"));
    assertEquals("lenet-300-100", root.get("model"));
    assertEquals(
        List.of(1.0, 5.0, 2.0, 0.0, 8.0),
        List.of(
            root.get("kernel_threads"),
            root.get("iterations"),
            root.get("warmup"),
            root.get("warmup_seconds"),
            root.get("batch")));
    Map<String, Object> compressed = JsonReader.object(root.get("compressed"));
    Map<String, Object> dense = JsonReader.object(root.get("dense"));
    Map<String, Object> ratio = JsonReader.object(root.get("compressed_over_dense"));
    String[] figures = {"batch1_median_us", "batch1_p90_us", "batch_images_per_second"};
    String[] ratios = {"batch1_median", "batch1_p90", "batch_images_per_second"};
    for (int i = 0; i < figures.length; i++) {
      double c = (double) compressed.get(figures[i]);
      double d = (double) dense.get(figures[i]);
      assertTrue(c > 0 && d > 0, run.out());
      assertEquals(c / d, (double) ratio.get(ratios[i]), 1e-12 * c / d, ratios[i]);
    }
    assertTrue(
        (double) compressed.get("batch1_p90_us") >= (double) compressed.get("batch1_median_us"));

    // The layer forms and bytes are the runtime's own description of the two networks.
    Model model = ModelFile.read(file);
    List<InferenceNetwork.LayerDescription> expected =
        InferenceNetwork.of(model).describeLayers().stream()
            .filter(l -> !l.form().equals(InferenceNetwork.NO_WEIGHTS))
            .toList();
    List<Object> layers = JsonReader.array(root.get("layers"));
    assertEquals(expected.size(), layers.size(), run.out());
    Map<String, Integer> elements = Map.of("ip1", 235_200, "ip2", 30_000, "ip3", 1_000);
    for (int i = 0; i < layers.size(); i++) {
      Map<String, Object> layer = JsonReader.object(layers.get(i));
      InferenceNetwork.LayerDescription c = expected.get(i);
      assertEquals(c.name(), layer.get("name"));
      assertEquals(c.form(), layer.get("compressed_form"));
      assertEquals((double) c.weightBytes(), layer.get("compressed_bytes"));
      assertEquals(InferenceNetwork.DENSE_GEMM, layer.get("dense_form"));
      assertEquals(4.0 * elements.get(c.name()), layer.get("dense_bytes"));
    }
  }

  @Test
  void missingFileIsOneLine() {
    CliRun run = CliRun.of("bench", dir.resolve("absent.dcmodel").toString());
    assertEquals(ErrorReporter.FAILED, run.exitCode());
    assertTrue(run.err().startsWith("deepcompress: no such file: "), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void corruptFileIsOneLine() throws IOException {
    Path file = dir.resolve("truncated.dcmodel");
    Files.write(
        file, Arrays.copyOf(Files.readAllBytes(TestModels.compressedLenet300100(dir)), 100));
    CliRun run = CliRun.of("bench", file.toString());
    assertEquals(ErrorReporter.FAILED, run.exitCode());
    assertTrue(run.err().startsWith("deepcompress: " + file), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void negativeWarmUpTimeIsAUsageError() throws IOException {
    assertUsageError("--warmup-seconds", "-1", "must be at least 0, got -1");
  }

  @Test
  void zeroIterationsIsAUsageError() throws IOException {
    assertUsageError("--iterations", "0", "must be at least 1, got 0");
  }

  /** {@code bench FILE option value} is a usage error that names the option and says why. */
  private void assertUsageError(String option, String value, String why) throws IOException {
    CliRun run =
        CliRun.of("bench", TestModels.compressedLenet300100(dir).toString(), option, value);
    assertEquals(ErrorReporter.USAGE, run.exitCode());
    assertTrue(run.err().contains(option), run.err());
    assertTrue(run.err().contains(why), run.err());
  }
}
