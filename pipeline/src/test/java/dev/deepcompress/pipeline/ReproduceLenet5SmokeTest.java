package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.FileLayout;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.TensorEncoding;
import dev.deepcompress.runtime.format.TensorLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline on a convolutional network: 4-D weights are pruned, shared and encoded too. */
class ReproduceLenet5SmokeTest {
  @TempDir Path dir;

  @Test
  void convolutionAndFullyConnectedWeightsGetThePapersBitWidths() throws Exception {
    CliRun run =
        CliRun.of(
            "reproduce",
            "lenet-5",
            "--train-subset",
            "1000",
            "--epochs",
            "1",
            "--prune-iterations",
            "1",
            "--prune-epochs",
            "1",
            "--cluster-epochs",
            "1",
            "--paper-gap-bits",
            "--out-dir",
            dir.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("distillation T=2.0, weight 0.5"), run.out());
    Path file = dir.resolve("lenet-5.dcmodel");
    FileLayout layout = ModelFile.inspect(file);
    Map<String, Integer> bits = Map.of("conv1", 8, "conv2", 8, "ip1", 5, "ip2", 5);
    Map<String, Double> kept = Map.of("conv1", 0.66, "conv2", 0.20, "ip1", 0.06, "ip2", 0.19);
    int weights = 0;
    for (TensorLayout tensor : layout.tensors()) {
      String layer = tensor.name().replace(".weight", "");
      if (tensor.name().endsWith(".weight")) {
        weights++;
        // Encoding 1, or 3 where splitting the indices by their neighbour's is smaller.
        assertTrue(
            EnumSet.of(TensorEncoding.SPARSE_QUANTIZED, TensorEncoding.SPARSE_QUANTIZED_CONTEXT)
                .contains(tensor.encoding()),
            tensor.name() + ": " + tensor.encoding());
        assertEquals(bits.get(layer), tensor.indexBits(), tensor.name());
        assertEquals(5, tensor.gapBits(), tensor.name());
        assertEquals(
            kept.get(layer),
            (double) tensor.nonZeros() / tensor.shape().elementCount(),
            0.01,
            tensor.name());
      }
    }
    assertEquals(4, weights);
    assertEquals(Files.size(file), layout.fileBytes());
  }
}
