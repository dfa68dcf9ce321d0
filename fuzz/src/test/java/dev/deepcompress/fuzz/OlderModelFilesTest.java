package dev.deepcompress.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The seed models committed before version 1.4 (written by earlier builds, versions 1.0 to 1.2)
 * still read; the writer writes each model the same bytes every time, and the same bytes it was
 * read from where no layer's indices are smaller split by neighbour (encoding 3).
 */
class OlderModelFilesTest {
  private static final Path RAW =
      Path.of("src/test/resources/dev/deepcompress/fuzz/ModelFileFuzzTestInputs/raw");

  private static int minorVersion(byte[] file) {
    return (file[10] & 0xFF) | (file[11] & 0xFF) << 8;
  }

  @Test
  void olderFilesReadAndRewriteDeterministically() throws Exception {
    Map<String, Integer> rewrittenMinor = new TreeMap<>();
    try (Stream<Path> files = Files.list(RAW)) {
      for (Path path : files.sorted().toList()) {
        String name = path.getFileName().toString();
        byte[] file = Files.readAllBytes(path);
        if (!name.endsWith(".dcmodel") || name.startsWith("issue") || minorVersion(file) >= 4) {
          continue;
        }
        Model model = ModelFile.fromBytes(file, name, ModelFileFuzzTest.LIMITS);
        byte[] rewritten = ModelFile.toBytes(model);
        assertArrayEquals(rewritten, ModelFile.toBytes(model), name + ": deterministic");
        Model again = ModelFile.fromBytes(rewritten, name, ModelFileFuzzTest.LIMITS);
        for (String tensor : model.tensors().keySet()) {
          assertTrue(
              ModelFileFuzzTest.sameValues(model.tensor(tensor), again.tensor(tensor)),
              name + ": " + tensor);
        }
        if (minorVersion(rewritten) < 4) {
          assertArrayEquals(file, rewritten, name + ": rewritten as it was");
        }
        rewrittenMinor.put(name + " " + minorVersion(file), minorVersion(rewritten));
      }
    }
    // File and version as committed → version rewritten: only the real LeNets' ip1 weights (fed
    // by image pixels and by feature maps: neighbours alike) are smaller split by neighbour.
    assertEquals(
        Map.of(
            "fillers.dcmodel 1", 1,
            "lenet-300-100.dcmodel 1", 4,
            "lenet-5.dcmodel 1", 4,
            "nothing-stored.dcmodel 1", 1,
            "one-stored.dcmodel 1", 1,
            "padded-convolution.dcmodel 1", 1,
            "small-lenet-300-100-dense.dcmodel 0", 0,
            "small-lenet-300-100-sparse.dcmodel 2", 2,
            "small-lenet-5-dense.dcmodel 0", 0,
            "small-lenet-5-sparse.dcmodel 2", 2),
        rewrittenMinor);
  }
}
