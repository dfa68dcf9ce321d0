package dev.deepcompress.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sensitivity tables as {@code sensitivity.md} and {@code sensitivity.json}. */
final class SensitivityReport {
  private SensitivityReport() {}

  /** Writes both files into {@code directory}; returns the files written. */
  static List<Path> write(Sensitivity.Table table, String model, Path directory)
      throws IOException {
    Path markdown = directory.resolve("sensitivity.md");
    Path json = directory.resolve("sensitivity.json");
    Artifacts.writeText(markdown, markdown(table, model));
    Artifacts.writeText(json, Json.write(json(table, model)));
    return List.of(markdown, json);
  }

  static String markdown(Sensitivity.Table table, String model) {
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
