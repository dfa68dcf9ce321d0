package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir Path dir;

  /** LeNet-300-100 with about 10% of each weight kept, each one of 16 values. */
  private Path compressedModelFile() throws IOException {
    Architecture architecture = ReferenceArchitectures.lenet300100();
    Model initial = Network.initialize(architecture, 1).toModel(Map.of());
    Map<String, Tensor> tensors = new LinkedHashMap<>(initial.tensors());
    SplittableRandom random = new SplittableRandom(2);
    for (ParameterSpec spec : architecture.parameters()) {
      if (spec.role() == ParameterSpec.Role.WEIGHT) {
        float[] w = new float[spec.shape().elementCount()];
        for (int i = 0; i < w.length; i++) {
          w[i] = random.nextDouble() < 0.1 ? (random.nextInt(16) - 8) / 64f + 1 / 128f : 0f;
        }
        tensors.put(spec.name(), SparseQuantizedTensor.fromDense(spec, w, 4, 5));
      }
    }
    Path file = dir.resolve("small.dcmodel");
    ModelFile.write(Model.ofTensors(architecture, tensors, Map.of()), file);
    return file;
  }

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

  @Test
  void timesTheCompressedAndTheDenseNetworkSideBySide() throws IOException {
    CliRun run =
        CliRun.of(
            "bench",
            compressedModelFile().toString(),
            "--iterations",
            "5",
            "--warmup",
            "2",
            "--warmup-seconds",
            "0",
            "--batch",
            "8",
            "--threads",
            "1");
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
  void missingFileIsOneLine() {
    CliRun run = CliRun.of("bench", dir.resolve("absent.dcmodel").toString());
    assertEquals(ErrorReporter.FAILED, run.exitCode());
    assertTrue(run.err().startsWith("deepcompress: no such file: "), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void corruptFileIsOneLine() throws IOException {
    Path file = dir.resolve("truncated.dcmodel");
    Files.write(file, Arrays.copyOf(Files.readAllBytes(compressedModelFile()), 100));
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
    CliRun run = CliRun.of("bench", compressedModelFile().toString(), option, value);
    assertEquals(ErrorReporter.USAGE, run.exitCode());
    assertTrue(run.err().contains(option), run.err());
    assertTrue(run.err().contains(why), run.err());
  }
}
