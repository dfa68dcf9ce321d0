package dev.deepcompress.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.huffman.HuffmanDecoder;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Preprocessing;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles examples/Classify.java against the runtime and huffman classes alone, runs it on a model
 * file, and checks that the README quotes its example lines word for word.
 */
class ExampleTest {
  private static final String BEGIN = "// README example begins";
  private static final String END = "// README example ends";

  @TempDir Path dir;

  /** A repository file, from the module directory (Maven) or the repository root. */
  static Path repositoryFile(String path) {
    for (Path candidate : List.of(Path.of("..").resolve(path), Path.of(path))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(path + " not found from " + Path.of("").toAbsolutePath());
  }

  /** Where the classes of {@code type} were loaded from: a directory or a jar. */
  static Path classPathOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theExampleCompilesAgainstTheShippedJarsAndClassifiesAsTheApiDoes() throws Exception {
    String classPath =
        classPathOf(CompressedModel.class) + File.pathSeparator + classPathOf(HuffmanDecoder.class);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(dir.resolve("classes"));
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status =
        compiler.run(
            null,
            diagnostics,
            diagnostics,
            "-classpath",
            classPath,
            "-d",
            classes.toString(),
            repositoryFile("examples/Classify.java").toString());
    assertEquals(0, status, diagnostics.toString(StandardCharsets.UTF_8));

    Path file = dir.resolve("digits.dcmodel");
    ModelFile.write(
        CompressedModelTest.digitModel(
            11, Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f / 256)),
        file);
    String printed = runMain(classes, file);

    CompressedModel model = CompressedModel.load(file);
    float[] stroke = new float[784];
    for (int row = 5; row < 23; row++) {
      stroke[row * 28 + 14] = 255;
    }
    assertEquals(
        "digit " + model.classify(stroke) + ", scores " + Arrays.toString(model.predict(stroke)),
        printed.strip());
  }

  private static String runMain(Path classes, Path modelFile) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ExampleTest.class.getClassLoader())) {
      Method main = loader.loadClass("Classify").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {modelFile.toString()});
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theReadmeQuotesTheExampleWordForWord() throws IOException {
    String example = Files.readString(repositoryFile("examples/Classify.java"));
    int begin = example.indexOf(BEGIN);
    int end = example.indexOf(END);
    assertTrue(begin > 0 && end > begin, "markers in examples/Classify.java");
    String quoted =
        dedent(example.substring(example.indexOf('\n', begin) + 1, end).stripTrailing());
    String readme = Files.readString(repositoryFile("README.md"));
    assertTrue(
        readme.contains("```java\n" + quoted + "```\n"),
        "README.md should hold this block:\n```java\n" + quoted + "```");
  }

  /** The lines without their common leading spaces, each ending in a newline. */
  private static String dedent(String lines) {
    List<String> list = lines.lines().toList();
    int indent =
        list.stream()
            .filter(line -> !line.isBlank())
            .mapToInt(line -> line.length() - line.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : list) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }
}
