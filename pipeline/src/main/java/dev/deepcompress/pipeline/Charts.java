package dev.deepcompress.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG charts of the reports: curves (error against bytes, bits or keep fraction) and weight
 * histograms with the codebook marked, drawn headless and written atomically.
 */
final class Charts {
  static {
    // Reports are written on servers without a display; AWT must never look for one.
    System.setProperty("java.awt.headless", "true");
  }

  static final int WIDTH = 800;
  static final int HEIGHT = 520;

  /**
   * Up to this many curves share one legend row; more get one row each, the picture growing by
   * {@link #LEGEND_ROW} per curve: one row of a dozen long names runs off both sides.
   */
  static final int ONE_ROW_LEGEND = 3;

  static final int LEGEND_ROW = 20;

  private Charts() {}

  /** One named curve: points {@code (x[i], y[i])}, joined in the given order. */
  record Series(String name, double[] x, double[] y) {
    Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series " + name + " has " + x.length + " x values and " + y.length + " y values");
      }
      x = x.clone();
      y = y.clone();
    }
  }

  /** Axis titles and scales of a chart of curves. */
  record Axes(String title, String xTitle, String yTitle, boolean logX) {}

  /** Curves with a marker at each point, one colour and one legend entry per series. */
  static void lines(Path png, Axes axes, List<Series> series) throws IOException {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one series: " + axes.title());
    }
    boolean rowEach = series.size() > ONE_ROW_LEGEND;
    int height = rowEach ? HEIGHT + LEGEND_ROW * series.size() : HEIGHT;
    XYChart chart = chart(axes.title(), axes.xTitle(), axes.yTitle(), height);
    if (rowEach) {
      chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    }
    chart.getStyler().setXAxisLogarithmic(logarithmicX(axes, series));
    for (Series s : series) {
      XYSeries drawn = chart.addSeries(s.name(), s.x(), s.y());
      drawn.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      drawn.setMarker(SeriesMarkers.CIRCLE);
    }
    write(png, chart);
  }

  /**
   * Whether the x axis is drawn logarithmic: if asked for and the positive x values span at least a
   * decade, since XChart labels a logarithmic axis at powers of ten only and a narrower one would
   * show no numbers at all.
   */
  static boolean logarithmicX(Axes axes, List<Series> series) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (Series s : series) {
      for (double x : s.x()) {
        if (x > 0) {
          min = Math.min(min, x);
          max = Math.max(max, x);
        }
      }
    }
    return axes.logX() && max >= 10 * min;
  }

  /**
   * A histogram of {@code values} in {@code bins} equal bins between their minimum and maximum,
   * and, if {@code marks} is not empty, those values marked on the x axis (e.g. a codebook's
   * centroids). Values equal to {@code skip} are left out (0 for pruned weights) unless {@code
   * skip} is NaN.
   */
  static void histogram(
      Path png, String title, String xTitle, float[] values, float skip, int bins, float[] marks)
      throws IOException {
    if (bins < 1) {
      throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      if (v != skip) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    XYChart chart = chart(title, xTitle, "weights", HEIGHT);
    double[] counts = new double[bins];
    double width = max > min ? (max - min) / bins : 1;
    if (min <= max) {
      for (float v : values) {
        if (v != skip) {
          counts[(int) Math.min(bins - 1, (v - min) / width)]++;
        }
      }
    }
    // Each bin drawn flat from its left edge to just short of its right one, for an area chart
    // needs x to ascend. (Points at the bin centres would be equally spaced, and XChart then puts
    // a tick, with all its digits, at every few of them.)
    double[] edges = new double[2 * bins];
    double[] heights = new double[2 * bins];
    for (int b = 0; b < bins; b++) {
      double left = min <= max ? min + b * width : b;
      edges[2 * b] = left;
      edges[2 * b + 1] = left + width * (1 - 1e-6);
      heights[2 * b] = counts[b];
      heights[2 * b + 1] = counts[b];
    }
    XYSeries histogram = chart.addSeries("weights", edges, heights);
    histogram.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
    histogram.setMarker(SeriesMarkers.NONE);
    if (marks.length > 0) {
      double[] x = new double[marks.length];
      for (int i = 0; i < marks.length; i++) {
        x[i] = marks[i];
      }
      XYSeries marked = chart.addSeries("codebook", x, new double[marks.length]);
      marked.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      marked.setMarker(SeriesMarkers.TRIANGLE_UP);
    }
    write(png, chart);
  }

  private static XYChart chart(String title, String xTitle, String yTitle, int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(height)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    return chart;
  }

  private static void write(Path png, XYChart chart) throws IOException {
    Artifacts.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }
}
