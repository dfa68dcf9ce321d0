package dev.deepcompress.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sensitivity tables as {@code sensitivity.md} and {@code sensitivity.json}, and per layer two
 * charts (like the paper's Figure 5): validation error against kept fraction, and against codebook
 * bits.
 */
final class SensitivityReport {
  private SensitivityReport() {}

  /**
   * Writes the files into {@code directory}, their names starting with {@code prefix}; returns the
   * files written.
   */
  static List<Path> write(Sensitivity.Table table, String model, Path directory, String prefix)
      throws IOException {
    List<Path> written = new ArrayList<>();
    Path markdown = directory.resolve(prefix + "sensitivity.md");
    Path json = directory.resolve(prefix + "sensitivity.json");
    Artifacts.writeText(markdown, markdown(table, model, prefix));
    Artifacts.writeText(json, Json.write(json(table, model)));
    written.add(markdown);
    written.add(json);
    for (Sensitivity.LayerCurves layer : table.layers()) {
      Path pruning = directory.resolve(chartName(prefix, layer, "pruning"));
      Charts.lines(
          pruning,
          new Charts.Axes(
              model + " " + layer.layer() + ": pruned alone",
              "kept fraction of the layer's weights",
              "validation error (%)",
              true),
          series(table, layer.pruning()));
      Path bits = directory.resolve(chartName(prefix, layer, "bits"));
      Charts.lines(
          bits,
          new Charts.Axes(
              model + " " + layer.layer() + ": weights shared alone",
              "codebook index bits",
              "validation error (%)",
              false),
          series(table, layer.quantization()));
      written.add(pruning);
      written.add(bits);
    }
    return written;
  }

  private static String chartName(String prefix, Sensitivity.LayerCurves layer, String kind) {
    return prefix + "sensitivity-" + layer.layer() + "-" + kind + ".png";
  }

  /** The error right after the change and, if measured, after the short retraining. */
  private static List<Charts.Series> series(
      Sensitivity.Table table, List<Sensitivity.Point> points) {
    List<Sensitivity.Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(Sensitivity.Point::setting));
    double[] x = new double[sorted.size()];
    double[] before = new double[sorted.size()];
    double[] after = new double[sorted.size()];
    double[] reference = new double[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      x[i] = sorted.get(i).setting();
      before[i] = sorted.get(i).errorBeforePct();
      after[i] = sorted.get(i).errorAfterPct();
      reference[i] = table.referenceErrorPct();
    }
    List<Charts.Series> series = new ArrayList<>();
    series.add(new Charts.Series("no retraining", x, before));
    if (table.retrained()) {
      series.add(new Charts.Series("after a short retraining", x, after));
    }
    series.add(new Charts.Series("reference", x, reference));
    return series;
  }

  static String markdown(Sensitivity.Table table, String model, String prefix) {
    StringBuilder md = new StringBuilder();
    md.append("# Sensitivity of ").append(model).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Validation error of the reference: %.2f%% (%d of %d images). Each row changes one"
                + " layer alone; the rest of the network is the reference.%s%n",
            table.referenceErrorPct(),
            table.referenceErrors(),
            table.total(),
            table.retrained()
                ? " \"retrained\" is the error after one short pass of retraining with that change"
                    + " enforced."
                : ""));
    for (Sensitivity.LayerCurves layer : table.layers()) {
      md.append("\n## ").append(layer.layer());
      md.append(
          String.format(Locale.ROOT, " (%s, %,d weights)%n%n", layer.tensor(), layer.weights()));
      md.append(
          String.format(
              "![%s pruned alone](%s) ![%s shared alone](%s)%n%n",
              layer.layer(),
              chartName(prefix, layer, "pruning"),
              layer.layer(),
              chartName(prefix, layer, "bits")));
      header(md, "kept", table.retrained());
      for (Sensitivity.Point point : layer.pruning()) {
        row(md, String.format(Locale.ROOT, "%.1f%%", 100 * point.setting()), point, table);
      }
      md.append('\n');
      header(md, "codebook bits", table.retrained());
      for (Sensitivity.Point point : layer.quantization()) {
        row(md, String.format(Locale.ROOT, "%d", (int) point.setting()), point, table);
      }
    }
    return md.toString();
  }

  private static void header(StringBuilder md, String setting, boolean retrained) {
    md.append("| ").append(setting).append(" | validation error | change |");
    md.append(
        retrained ? " retrained | change |\n|---:|---:|---:|---:|---:|\n" : "\n|---:|---:|---:|\n");
  }

  private static void row(
      StringBuilder md, String setting, Sensitivity.Point point, Sensitivity.Table table) {
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %.2f%% | %+.2f |",
            setting,
            point.errorBeforePct(),
            point.errorBeforePct() - table.referenceErrorPct()));
    if (table.retrained()) {
      md.append(
          String.format(
              Locale.ROOT,
              " %.2f%% | %+.2f |",
              point.errorAfterPct(),
              point.errorAfterPct() - table.referenceErrorPct()));
    }
    md.append('\n');
  }

  static Map<String, Object> json(Sensitivity.Table table, String model) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model);
    root.put("validation_images", table.total());
    root.put("reference_errors", table.referenceErrors());
    root.put("retrained", table.retrained());
    List<Object> layers = new ArrayList<>();
    for (Sensitivity.LayerCurves layer : table.layers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("layer", layer.layer());
      m.put("tensor", layer.tensor());
      m.put("weights", layer.weights());
      m.put("pruning", points(layer.pruning(), "kept_fraction"));
      m.put("quantization", points(layer.quantization(), "bits"));
      layers.add(m);
    }
    root.put("layers", layers);
    return root;
  }

  private static List<Object> points(List<Sensitivity.Point> points, String setting) {
    List<Object> list = new ArrayList<>();
    for (Sensitivity.Point point : points) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put(setting, point.setting());
      m.put("errors", point.errorsBefore());
      m.put("errors_retrained", point.errorsAfter());
      list.add(m);
    }
    return list;
  }
}
