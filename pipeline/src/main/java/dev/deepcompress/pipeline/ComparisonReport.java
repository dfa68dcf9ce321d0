package dev.deepcompress.pipeline;

import dev.deepcompress.quantization.QuantizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table, JSON and plots of a comparison: one row per measured file, grouped into curves (a
 * method in a mode), and per curve the smallest file whose validation error is within a margin of
 * the reference's, with that file's test error; for a pruned start also within the margin of the
 * pruned model's, which isolates what quantization costs on top of pruning.
 */
final class ComparisonReport {
  /** One measured file of one curve. */
  record Row(String curve, String quantizer, int bits, Comparison.Point point) {}

  private final String model;
  private final boolean pruned;
  private final long denseBytes;
  private final Comparison.Point reference;
  private final Comparison.Point start;
  private final double within;
  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Object> settings = new LinkedHashMap<>();

  /**
   * @param start the model the quantizers start from (the reference, or its pruned version)
   * @param within the margin in percentage points over the reference's validation error
   */
  ComparisonReport(
      String model,
      boolean pruned,
      long denseBytes,
      Comparison.Point reference,
      Comparison.Point start,
      double within) {
    this.model = model;
    this.pruned = pruned;
    this.denseBytes = denseBytes;
    this.reference = reference;
    this.start = start;
    this.within = within;
  }

  void add(String curve, QuantizerSpec quantizer, Comparison.Point point) {
    rows.add(new Row(curve, quantizer.toString(), quantizer.bits(), point));
  }

  void settings(String key, Object value) {
    settings.put(key, value);
  }

  /** The curves in the order their first row came. */
  private Map<String, List<Row>> curves() {
    Map<String, List<Row>> curves = new LinkedHashMap<>();
    for (Row row : rows) {
      curves.computeIfAbsent(row.curve(), c -> new ArrayList<>()).add(row);
    }
    return curves;
  }

  /** Per curve, the smallest file whose validation error is at most {@code limit}, or null. */
  private Map<String, Row> smallestWithin(double limit) {
    Map<String, Row> best = new LinkedHashMap<>();
    curves()
        .forEach(
            (curve, list) -> {
              Row chosen = null;
              for (Row row : list) {
                if (row.point().validationErrorPct() <= limit + 1e-9
                    && (chosen == null || row.point().fileBytes() < chosen.point().fileBytes())) {
                  chosen = row;
                }
              }
              best.put(curve, chosen);
            });
    return best;
  }

  /** The headline's limit: the reference's validation error plus the margin. */
  private double referenceLimit() {
    return reference.validationErrorPct() + within;
  }

  /**
   * The pruned model's validation error plus the margin: what quantization alone costs on top of
   * pruning.
   */
  private double prunedLimit() {
    return start.validationErrorPct() + within;
  }

  void write(Path directory, String name) throws IOException {
    Artifacts.writeText(directory.resolve(name + ".md"), markdown(name));
    Artifacts.writeText(directory.resolve(name + ".json"), json());
    plot(directory.resolve(name + "-test.png"), "test", false);
    plot(directory.resolve(name + "-validation.png"), "validation", true);
  }

  private void plot(Path png, String split, boolean validation) throws IOException {
    List<Charts.Series> series = new ArrayList<>();
    curves()
        .forEach(
            (curve, list) -> {
              List<Row> sorted = new ArrayList<>(list);
              sorted.sort((a, b) -> Long.compare(a.point().fileBytes(), b.point().fileBytes()));
              double[] x = new double[sorted.size()];
              double[] y = new double[sorted.size()];
              for (int i = 0; i < x.length; i++) {
                x[i] = sorted.get(i).point().fileBytes();
                y[i] =
                    validation
                        ? sorted.get(i).point().validationErrorPct()
                        : sorted.get(i).point().testErrorPct();
              }
              series.add(new Charts.Series(curve, x, y));
            });
    Charts.lines(
        png,
        new Charts.Axes(
            model + (pruned ? " (pruned)" : "") + ": " + split + " error against file size",
            "file bytes",
            split + " error (%)",
            true),
        series);
  }

  private String markdown(String name) {
    StringBuilder md = new StringBuilder();
    md.append("# Quantizers compared on ").append(model).append(pruned ? ", pruned" : "");
    md.append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Reference: %,d B, validation error %.2f%%, test error %.2f%%. Quantized from: %,d B"
                + " (%s), validation error %.2f%%, test error %.2f%%. Settings: %s.%n%n",
            reference.fileBytes(),
            reference.validationErrorPct(),
            reference.testErrorPct(),
            start.fileBytes(),
            pruned ? "pruned, fp32" : "the reference",
            start.validationErrorPct(),
            start.testErrorPct(),
            settings));
    appendSmallest(md, "the reference's", referenceLimit());
    if (pruned) {
      md.append("\n");
      appendSmallest(md, "the pruned model's", prunedLimit());
    }
    md.append("\n## Every file\n\n");
    md.append(
        "![test error against file bytes]("
            + name
            + "-test.png)\n![validation error against"
            + " file bytes]("
            + name
            + "-validation.png)\n\n");
    md.append(
        "| method | bits | quantizer | file bytes | ratio | validation error | test error |"
            + " seconds |\n");
    md.append("|---|---:|---|---:|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %,d | %.1f× | %.2f%% | %.2f%% | %.1f |%n",
              row.curve(),
              row.bits(),
              row.quantizer(),
              row.point().fileBytes(),
              (double) denseBytes / row.point().fileBytes(),
              row.point().validationErrorPct(),
              row.point().testErrorPct(),
              row.point().seconds()));
    }
    return md.toString();
  }

  private void appendSmallest(StringBuilder md, String whose, double limit) {
    md.append(
        String.format(
            Locale.ROOT,
            "## Smallest file within %.2f points of %s validation error (%.2f%%)%n%n",
            within,
            whose,
            limit));
    md.append("Chosen on the validation split; the test error is that file's.\n\n");
    md.append("| method | quantizer | file bytes | ratio | validation error | test error |\n");
    md.append("|---|---|---:|---:|---:|---:|\n");
    smallestWithin(limit)
        .forEach(
            (curve, row) ->
                md.append(
                    row == null
                        ? "| " + curve + " | none within the margin | | | | |\n"
                        : String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %.1f× | %.2f%% | %.2f%% |%n",
                            curve,
                            row.quantizer(),
                            row.point().fileBytes(),
                            (double) denseBytes / row.point().fileBytes(),
                            row.point().validationErrorPct(),
                            row.point().testErrorPct())));
  }

  private String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", model);
    root.put("pruned", pruned);
    root.put("dense_bytes", denseBytes);
    root.put("reference", pointJson(reference));
    root.put("start", pointJson(start));
    root.put("within_points", within);
    root.put("settings", settings);
    List<Object> all = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("method", row.curve());
      m.put("bits", row.bits());
      m.put("quantizer", row.quantizer());
      m.putAll(pointJson(row.point()));
      all.add(m);
    }
    root.put("files", all);
    root.put("smallest_within", chosenQuantizers(referenceLimit()));
    if (pruned) {
      root.put("smallest_within_pruned", chosenQuantizers(prunedLimit()));
    }
    return Json.write(root);
  }

  private Map<String, Object> chosenQuantizers(double limit) {
    Map<String, Object> chosen = new LinkedHashMap<>();
    smallestWithin(limit)
        .forEach((curve, row) -> chosen.put(curve, row == null ? null : row.quantizer()));
    return chosen;
  }

  private Map<String, Object> pointJson(Comparison.Point point) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file_bytes", point.fileBytes());
    m.put("ratio", (double) denseBytes / point.fileBytes());
    m.put("validation_error_pct", point.validationErrorPct());
    m.put("test_error_pct", point.testErrorPct());
    m.put("seconds", point.seconds());
    return m;
  }
}
