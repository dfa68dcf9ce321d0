package dev.deepcompress.pipeline;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.pruning.IterativePruning;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The pictures of a compression report, drawn as PNG files beside {@code report.md}: each
 * compressed layer's weights before pruning, after pruning and after quantization with its codebook
 * marked (the paper's Figures 4 and 5), the error after pruning and after retraining in each
 * pruning iteration, and the training loss of every epoch.
 */
final class ReportCharts {
  /** Bins of the weight histograms: fine enough to show the shape, and each centroid's spike. */
  static final int BINS = 120;

  /**
   * One picture: its file name in the report's directory, and what it shows.
   *
   * @param layer the layer it belongs to, or null for the run as a whole
   */
  record Picture(String file, String caption, String layer) {}

  private ReportCharts() {}

  /**
   * Draws every picture a run gives into {@code directory}.
   *
   * @param before each compressed tensor's weights as the reference has them, by parameter name
   * @param referenceLosses the reference's training loss per epoch, empty if it was not trained now
   * @param errors the samples the stages' errors were measured on ("test", "validation")
   */
  static List<Picture> draw(
      Path directory,
      Map<String, float[]> before,
      Compression.Result result,
      List<Double> referenceLosses,
      String errors)
      throws IOException {
    List<Picture> pictures = new ArrayList<>();
    for (CompressedTensor tensor : result.tensors().values()) {
      String name = tensor.name();
      if (!result.weightsAfterPruning().containsKey(name)) {
        continue; // a quantized bias: never pruned
      }
      String layer = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : name;
      int[] kept = tensor.mask().keptPositions();
      float[] all = before.get(name);
      pictures.add(
          histogram(
              directory,
              layer,
              "before-pruning",
              layer + ": weights before pruning (" + count(all.length) + ")",
              all,
              new float[0]));
      pictures.add(
          histogram(
              directory,
              layer,
              "after-pruning",
              layer + ": weights after pruning and retraining (" + count(kept.length) + " kept)",
              at(result.weightsAfterPruning().get(name), kept),
              new float[0]));
      float[] quantized = at(tensor.dequantized(), kept);
      float[] levels =
          switch (tensor.quantization().orElseThrow()) {
            case Codebook codebook -> codebook.centroids();
            // Levels by formula, possibly per channel: the values the kept weights take.
            case Parametric parametric -> distinct(quantized);
          };
      pictures.add(
          histogram(
              directory,
              layer,
              "after-quantization",
              layer + ": weights after quantization, " + levels.length + " values marked",
              quantized,
              levels));
    }
    if (!result.pruning().isEmpty()) {
      List<IterativePruning.IterationReport> iterations = result.pruning();
      double[] x = new double[iterations.size()];
      double[] afterPruning = new double[x.length];
      double[] afterRetraining = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = iterations.get(i).iteration();
        afterPruning[i] = iterations.get(i).errorAfterPruningPct();
        afterRetraining[i] = iterations.get(i).errorPct();
      }
      pictures.add(
          lines(
              directory,
              "pruning-error.png",
              new Charts.Axes(
                  "Error in each pruning iteration (" + errors + " samples)",
                  "pruning iteration",
                  errors + " error (%)",
                  false),
              List.of(
                  new Charts.Series("after pruning", x, afterPruning),
                  new Charts.Series("after retraining", x, afterRetraining))));
    }
    if (!referenceLosses.isEmpty()) {
      pictures.add(
          lines(
              directory,
              "reference-loss.png",
              new Charts.Axes("Reference training", "epoch", "mean training loss", false),
              List.of(series("reference", 0, referenceLosses))));
    }
    List<Charts.Series> retraining = new ArrayList<>();
    if (!result.pruningLosses().isEmpty()) {
      retraining.add(series("pruning iterations", 0, result.pruningLosses()));
    }
    if (!result.quantizedLosses().isEmpty()) {
      retraining.add(
          series("after quantization", result.pruningLosses().size(), result.quantizedLosses()));
    }
    if (!retraining.isEmpty()) {
      pictures.add(
          lines(
              directory,
              "retraining-loss.png",
              new Charts.Axes("Retraining", "retraining epoch", "mean training loss", false),
              retraining));
    }
    return pictures;
  }

  private static Picture histogram(
      Path directory, String layer, String stage, String title, float[] values, float[] marks)
      throws IOException {
    String file = layer + "-" + stage + ".png";
    Charts.histogram(directory.resolve(file), title, "weight", values, Float.NaN, BINS, marks);
    return new Picture(file, title, layer);
  }

  private static Picture lines(
      Path directory, String file, Charts.Axes axes, List<Charts.Series> series)
      throws IOException {
    Charts.lines(directory.resolve(file), axes, series);
    return new Picture(file, axes.title(), null);
  }

  /** Epochs {@code first + 1, …} with their losses. */
  private static Charts.Series series(String name, int first, List<Double> losses) {
    double[] x = new double[losses.size()];
    double[] y = new double[losses.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = first + i + 1;
      y[i] = losses.get(i);
    }
    return new Charts.Series(name, x, y);
  }

  private static float[] distinct(float[] values) {
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || Float.compare(sorted[i], sorted[n - 1]) != 0) {
        sorted[n++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, n);
  }

  private static float[] at(float[] values, int[] positions) {
    float[] picked = new float[positions.length];
    for (int j = 0; j < positions.length; j++) {
      picked[j] = values[positions[j]];
    }
    return picked;
  }

  private static String count(int n) {
    return String.format("%,d", n);
  }
}
