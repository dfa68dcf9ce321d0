package dev.deepcompress.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.huffman.HuffmanDecoder;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Preprocessing;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API in a JVM started without {@code --add-modules jdk.incubator.vector}: it runs on the
 * scalar kernels and agrees with the vector kernels of this JVM (the tests run with the module).
 */
class ScalarFallbackTest {
  @TempDir Path dir;

  @Test
  void withoutTheVectorModuleTheScalarKernelsGiveTheSameResults() throws Exception {
    Path file = dir.resolve("digits.dcmodel");
    ModelFile.write(
        CompressedModelTest.digitModel(
            13, Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f / 256)),
        file);
    int count = 50;
    long seed = 14;
    String classPath =
        String.join(
            File.pathSeparator,
            ExampleTest.classPathOf(CompressedModel.class).toString(),
            ExampleTest.classPathOf(HuffmanDecoder.class).toString(),
            ExampleTest.classPathOf(ScalarFallbackMain.class).toString());
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                classPath,
                ScalarFallbackMain.class.getName(),
                file.toString(),
                Integer.toString(count),
                Long.toString(seed))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
    String errors = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), errors);
    assertTrue(errors.contains("using the scalar fallback"), "scalar kernels in use: " + errors);

    CompressedModel model = CompressedModel.load(file);
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    float[][] samples = ScalarFallbackMain.randomPixels(count, seed);
    assertEquals(count, lines.size());
    for (int s = 0; s < count; s++) {
      String[] parts = lines.get(s).split(" ", 2);
      assertEquals(model.classify(samples[s]), Integer.parseInt(parts[0]), "sample " + s);
      String[] values = parts[1].substring(1, parts[1].length() - 1).split(", ");
      float[] vector = model.predict(samples[s]);
      assertEquals(vector.length, values.length);
      for (int k = 0; k < vector.length; k++) {
        float scalar = Float.parseFloat(values[k]);
        assertEquals(vector[k], scalar, 1e-4f * Math.max(1, Math.abs(vector[k])), "sample " + s);
      }
    }
  }
}
