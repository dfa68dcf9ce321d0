package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code figures} on real MNIST, shortened (a subset of the training images, one epoch per stage,
 * 2-bit points only): each figure's table, JSON and PNG, with the curves the paper's figure has.
 */
class FiguresSmokeTest {
  @TempDir static Path dir;

  @BeforeAll
  static void drawShortFigures() {
    CliRun run =
        CliRun.of(
            "figures",
            "--bits",
            "2",
            "--train-subset",
            "1000",
            "--validation",
            "500",
            "--epochs",
            "1",
            "--prune-iterations",
            "1",
            "--prune-epochs",
            "1",
            "--quantize-epochs",
            "1",
            "--out-dir",
            dir.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
  }

  /** The points of a figure's JSON by curve, each checked against the figure's table. */
  private static Map<String, List<Map<String, Object>>> curves(int figure) throws Exception {
    String markdown = Files.readString(dir.resolve("figure" + figure + ".md"));
    Map<String, Object> json =
        JsonReader.object(
            JsonReader.parse(Files.readString(dir.resolve("figure" + figure + ".json"))));
    Map<String, List<Map<String, Object>>> curves = new LinkedHashMap<>();
    for (Object p : JsonReader.array(json.get("points"))) {
      Map<String, Object> point = JsonReader.object(p);
      curves.computeIfAbsent((String) point.get("curve"), c -> new ArrayList<>()).add(point);
      String row =
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f | %,d |",
              point.get("curve"),
              point.get("point"),
              number(point, "x"),
              (long) number(point, "file_bytes"));
      assertTrue(markdown.contains(row), "figure " + figure + " table lacks " + row);
    }
    assertTrue(markdown.contains("](figure" + figure + ".png)"), "the table links its plot");
    BufferedImage image = ImageIO.read(dir.resolve("figure" + figure + ".png").toFile());
    assertEquals(Charts.WIDTH, image.getWidth());
    ChartsTest.assertNotBlank(image);
    return curves;
  }

  private static double number(Map<String, Object> object, String key) {
    return ((Number) object.get(key)).doubleValue();
  }

  @Test
  void figure6HasPruningQuantizationAndBothWithTheParetoPointsOfBoth() throws Exception {
    Map<String, List<Map<String, Object>>> curves = curves(6);
    assertEquals(
        List.of("quantization only", "pruning only", "pruning + quantization"),
        List.copyOf(curves.keySet()));
    assertEquals(1, curves.get("quantization only").size(), "--bits 2 leaves one point");
    List<Map<String, Object>> pruning = curves.get("pruning only");
    assertEquals(FiguresCommand.KEPT.length, pruning.size());
    assertTrue(
        number(pruning.getLast(), "ratio") > 10 * number(pruning.getFirst(), "ratio"),
        "keeping 2% is far smaller than keeping 50%");
    List<Map<String, Object>> both = curves.get("pruning + quantization");
    assertFalse(both.isEmpty());
    for (Map<String, Object> a : both) {
      for (Map<String, Object> b : both) {
        boolean dominates =
            number(b, "x") >= number(a, "x")
                && number(b, "test_error_pct") <= number(a, "test_error_pct")
                && (number(b, "x") > number(a, "x")
                    || number(b, "test_error_pct") < number(a, "test_error_pct"));
        assertFalse(dominates, b.get("point") + " beats " + a.get("point") + " in both");
      }
    }
  }

  @Test
  void figure7HasConvAndFcLayersApartWithAndWithoutPruning() throws Exception {
    Map<String, List<Map<String, Object>>> curves = curves(7);
    assertEquals(
        List.of("conv layers", "fc layers", "conv layers, pruned", "fc layers, pruned"),
        List.copyOf(curves.keySet()));
    curves.values().forEach(points -> assertEquals(2.0, number(points.getFirst(), "x")));
  }

  @Test
  void figure8HasEveryInitialisationPostAndTrained() throws Exception {
    Map<String, List<Map<String, Object>>> curves = curves(8);
    List<String> expected = new ArrayList<>();
    for (String mode : List.of("post", "trained")) {
      for (String init : List.of("linear", "density", "random", "kmeans_plus_plus")) {
        expected.add(init + ", " + mode);
      }
    }
    assertEquals(expected, List.copyOf(curves.keySet()));
  }
}
