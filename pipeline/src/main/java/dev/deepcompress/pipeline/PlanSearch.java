package dev.deepcompress.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses each layer's kept fraction and codebook width so that the encoded layers are smallest
 * while the predicted validation error stays within a budget.
 *
 * <p>The error model is additive: a layer pruned to {@code k} and shared in {@code 2^b} centroids
 * adds the extra misclassified validation samples its two sensitivity curves show for each change
 * alone, and the layers' additions sum. Each curve is first made monotone (keeping fewer weights or
 * using fewer bits never counts as helping: each point takes the worst error of the gentler
 * settings), and a setting that measured better than the reference adds nothing. The bytes of each
 * option are those of the layer encoded at that setting ({@link LayerBytes}). Choosing one option
 * per layer to minimise the summed bytes under a summed error budget is a multiple-choice knapsack
 * over integer error counts, solved exactly by dynamic programming over layers and error counts.
 */
final class PlanSearch {
  private PlanSearch() {}

  /** One layer's setting with its encoded bytes and predicted extra validation errors. */
  record Choice(String layer, double keptFraction, int bits, int bytes, int extraErrors) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s: keep %.1f%%, %d-bit, %,d B, +%d errors",
          layer,
          100 * keptFraction,
          bits,
          bytes,
          extraErrors);
    }
  }

  /** The chosen setting of every layer, in layer order, and their sums. */
  record Result(List<Choice> choices, int budget) {
    int bytes() {
      return choices.stream().mapToInt(Choice::bytes).sum();
    }

    int extraErrors() {
      return choices.stream().mapToInt(Choice::extraErrors).sum();
    }

    Choice choice(String layer) {
      for (Choice c : choices) {
        if (c.layer().equals(layer)) {
          return c;
        }
      }
      throw new IllegalArgumentException("no choice for layer " + layer);
    }
  }

  /**
   * Extra errors of every point of a curve over the reference: monotone from the gentlest setting
   * (the first) to the harshest, never below 0.
   *
   * @param points in order from gentlest to harshest setting
   */
  static int[] extraErrors(List<Sensitivity.Point> points, int referenceErrors) {
    int[] extra = new int[points.size()];
    int worst = referenceErrors;
    for (int i = 0; i < points.size(); i++) {
      worst = Math.max(worst, points.get(i).errorsAfter());
      extra[i] = worst - referenceErrors;
    }
    return extra;
  }

  /**
   * The options of the sensitivity grid that minimise the summed bytes with at most {@code budget}
   * predicted extra validation errors; among equally small ones, the fewest predicted errors.
   *
   * @param bytes each layer's encoded bytes by kept fraction and width ({@link LayerBytes#measure})
   * @throws IllegalArgumentException if no option of some layer fits the budget
   */
  static Result choose(
      Sensitivity.Table table, Map<String, Map<Double, Map<Integer, Integer>>> bytes, int budget) {
    if (budget < 0) {
      throw new IllegalArgumentException("an error budget cannot be negative: " + budget);
    }
    List<List<Choice>> options = new ArrayList<>();
    for (Sensitivity.LayerCurves layer : table.layers()) {
      options.add(options(layer, table.referenceErrors(), bytes.get(layer.layer()), budget));
    }
    final long unreachable = Long.MAX_VALUE;
    // best[c]: the fewest bytes of the layers so far with exactly c predicted extra errors.
    long[] best = new long[budget + 1];
    Arrays.fill(best, unreachable);
    best[0] = 0;
    int[][] picked = new int[options.size()][budget + 1];
    for (int i = 0; i < options.size(); i++) {
      long[] next = new long[budget + 1];
      Arrays.fill(next, unreachable);
      List<Choice> layerOptions = options.get(i);
      for (int c = 0; c <= budget; c++) {
        if (best[c] == unreachable) {
          continue;
        }
        for (int o = 0; o < layerOptions.size(); o++) {
          Choice option = layerOptions.get(o);
          int total = c + option.extraErrors();
          if (total <= budget && best[c] + option.bytes() < next[total]) {
            next[total] = best[c] + option.bytes();
            picked[i][total] = o;
          }
        }
      }
      best = next;
    }
    int end = 0;
    for (int c = 1; c <= budget; c++) {
      if (best[c] < best[end]) {
        end = c;
      }
    }
    if (best[end] == unreachable) {
      throw new IllegalArgumentException("no setting of every layer fits " + budget + " errors");
    }
    Choice[] chosen = new Choice[options.size()];
    for (int i = options.size() - 1; i >= 0; i--) {
      chosen[i] = options.get(i).get(picked[i][end]);
      end -= chosen[i].extraErrors();
    }
    return new Result(List.of(chosen), budget);
  }

  /** Every (kept fraction, width) of one layer that fits the budget alone. */
  private static List<Choice> options(
      Sensitivity.LayerCurves layer,
      int referenceErrors,
      Map<Double, Map<Integer, Integer>> bytes,
      int budget) {
    List<Sensitivity.Point> pruning = gentlestFirst(layer.pruning());
    List<Sensitivity.Point> quantization = gentlestFirst(layer.quantization());
    int[] pruneExtra = extraErrors(pruning, referenceErrors);
    int[] bitsExtra = extraErrors(quantization, referenceErrors);
    List<Choice> choices = new ArrayList<>();
    for (int p = 0; p < pruning.size(); p++) {
      double kept = pruning.get(p).setting();
      for (int q = 0; q < quantization.size(); q++) {
        int bits = (int) quantization.get(q).setting();
        int extra = pruneExtra[p] + bitsExtra[q];
        Integer encoded = bytes.getOrDefault(kept, Map.of()).get(bits);
        if (encoded == null) {
          throw new IllegalArgumentException(
              "no encoded size of " + layer.layer() + " at " + kept + ", " + bits + " bits");
        }
        if (extra <= budget) {
          choices.add(new Choice(layer.layer(), kept, bits, encoded, extra));
        }
      }
    }
    return choices;
  }

  /** More weights kept, or more bits, is gentler: the points by descending setting. */
  static List<Sensitivity.Point> gentlestFirst(List<Sensitivity.Point> points) {
    List<Sensitivity.Point> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(Sensitivity.Point::setting).reversed());
    return sorted;
  }
}
