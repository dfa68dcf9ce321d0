package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
  @TempDir Path dir;

  private static final Charts.Axes AXES =
      new Charts.Axes("error against size", "bytes", "error (%)", true);

  /** XChart labels a logarithmic axis at powers of ten only: a narrower range is drawn linear. */
  @Test
  void theXAxisIsLogarithmicOnlyOverADecadeOrMore() {
    Charts.Series narrow = new Charts.Series("a", new double[] {24_000, 51_000}, new double[2]);
    Charts.Series wide = new Charts.Series("b", new double[] {0, 2_400, 24_000}, new double[3]);
    assertFalse(Charts.logarithmicX(AXES, List.of(narrow)));
    assertTrue(Charts.logarithmicX(AXES, List.of(narrow, wide)));
    assertFalse(Charts.logarithmicX(new Charts.Axes("t", "x", "y", false), List.of(narrow, wide)));
  }

  @Test
  void curvesAreDrawnIntoAPngOfTheChartsSize() throws IOException {
    Path png = dir.resolve("curves.png");
    Charts.lines(
        png,
        AXES,
        List.of(
            new Charts.Series("kmeans", new double[] {1e3, 1e4, 1e5}, new double[] {3, 1.6, 1.5}),
            new Charts.Series("uniform", new double[] {1e3, 1e4, 1e5}, new double[] {9, 2, 1.5})));

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(Charts.WIDTH, image.getWidth());
    assertEquals(Charts.HEIGHT, image.getHeight());
    assertNotBlank(image);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(png), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void aLegendOfManyLongNamesStaysInsideThePicture() throws IOException {
    Path png = dir.resolve("many.png");
    double[] x = {1e4, 1e5};
    List<Charts.Series> series = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      series.add(
          new Charts.Series(
              "uniform sym per-channel mse, trained, variant " + i, x, new double[] {i, 1}));
    }
    Charts.lines(png, AXES, series);

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(Charts.HEIGHT + 12 * Charts.LEGEND_ROW, image.getHeight());
    assertNotBlank(image);
    // A legend wider than the picture is cut at both edges: its text reaches the outer columns.
    int background = image.getRGB(0, 0);
    for (int y = 0; y < image.getHeight(); y++) {
      assertEquals(background, image.getRGB(0, y), "left edge, row " + y);
      assertEquals(background, image.getRGB(image.getWidth() - 1, y), "right edge, row " + y);
    }
  }

  @Test
  void theDataChangesThePicture() throws IOException {
    Path rising = dir.resolve("rising.png");
    Path falling = dir.resolve("falling.png");
    double[] x = {1, 2, 3};
    Charts.lines(rising, AXES, List.of(new Charts.Series("s", x, new double[] {1, 2, 3})));
    Charts.lines(falling, AXES, List.of(new Charts.Series("s", x, new double[] {3, 2, 1})));

    BufferedImage a = ImageIO.read(rising.toFile());
    BufferedImage b = ImageIO.read(falling.toFile());
    int differing = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int i = 0; i < a.getWidth(); i++) {
        if (a.getRGB(i, y) != b.getRGB(i, y)) {
          differing++;
        }
      }
    }
    assertTrue(differing > 500, "only " + differing + " pixels differ");
  }

  @Test
  void aHistogramLeavesOutTheSkippedValueAndMarksTheCodebook() throws IOException {
    float[] weights = new float[1000];
    for (int i = 0; i < weights.length; i += 3) {
      weights[i] = (float) Math.sin(i) * 0.2f;
    }
    Path png = dir.resolve("hist.png");
    Charts.histogram(png, "ip1.weight", "weight", weights, 0f, 40, new float[] {-0.1f, 0.1f});

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(Charts.WIDTH, image.getWidth());
    assertNotBlank(image);
  }

  @Test
  void aHistogramOfNothingButSkippedValuesIsStillAChart() throws IOException {
    Path png = dir.resolve("empty.png");
    Charts.histogram(png, "pruned away", "weight", new float[10], 0f, 10, new float[0]);
    assertEquals(Charts.HEIGHT, ImageIO.read(png.toFile()).getHeight());
  }

  @Test
  void malformedInputIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Charts.Series("s", new double[2], new double[3]));
    assertThrows(
        IllegalArgumentException.class, () -> Charts.lines(dir.resolve("x.png"), AXES, List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Charts.histogram(dir.resolve("h.png"), "t", "x", new float[3], 0f, 0, new float[0]));
  }

  /**
   * A blank picture has one or two colours; a chart has many, over a good part of its area. Also
   * the check of the pictures the commands draw.
   */
  static void assertNotBlank(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    int background = image.getRGB(0, 0);
    int drawn = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        colours.add(rgb);
        if (rgb != background) {
          drawn++;
        }
      }
    }
    assertTrue(colours.size() >= 8, "only " + colours.size() + " colours");
    assertTrue(
        drawn > image.getWidth() * image.getHeight() / 50, "only " + drawn + " pixels drawn");
  }

  /** {@code png} is a picture of the charts' size that is not blank. */
  static void assertChart(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(Charts.WIDTH, image.getWidth(), png.toString());
    assertEquals(Charts.HEIGHT, image.getHeight(), png.toString());
    assertNotBlank(image);
  }
}
