package dev.deepcompress.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order in which to prune the layers harder: a path of per-layer kept fractions from the
 * gentlest setting of the sensitivity grid to the harshest, greedy by bytes saved per predicted
 * error added.
 *
 * <p>Each layer's options are the grid's kept fractions, with their encoded bytes and the extra
 * validation errors the layer pruned alone showed (made monotone as in {@link PlanSearch}). Only
 * the lower convex hull of each layer's (errors, bytes) points is used: a point above the hull is
 * never the best use of an error budget. The path then takes the hull steps of all layers in order
 * of their slope, the most bytes saved per error added first (a step that adds no error first of
 * all). Every point of the path is the plan that minimises the bytes for the errors it predicts
 * under the additive model, so a scale error of the prediction (retraining repairs most of what the
 * sensitivity analysis sees) moves the right stopping point along the path but not the path itself:
 * where to stop is decided by retraining and measuring, not by the prediction.
 */
final class PruningPath {
  private PruningPath() {}

  /** Kept fractions closer than this ratio are not worth a round of their own. */
  static final double FINEST_RATIO = 1.2;

  /** One point: each layer's kept fraction, the encoded bytes and the predicted extra errors. */
  record Point(Map<String, Double> keptFractions, long bytes, int extraErrors) {}

  private record Step(String layer, double keptFraction, long bytesSaved, int errorsAdded) {
    double slope() {
      return errorsAdded == 0 ? Double.POSITIVE_INFINITY : (double) bytesSaved / errorsAdded;
    }
  }

  /**
   * The path for {@code table}'s layers, with {@code bytes} giving each layer's encoded bytes by
   * kept fraction (at the width the plan expects).
   */
  static List<Point> of(Sensitivity.Table table, Map<String, Map<Double, Integer>> bytes) {
    Map<String, Double> current = new LinkedHashMap<>();
    long totalBytes = 0;
    int totalErrors = 0;
    List<Step> steps = new ArrayList<>();
    for (Sensitivity.LayerCurves layer : table.layers()) {
      List<Sensitivity.Point> curve = PlanSearch.gentlestFirst(layer.pruning());
      int[] extra = PlanSearch.extraErrors(curve, table.referenceErrors());
      List<Integer> hull = lowerHull(curve, extra, bytes.get(layer.layer()));
      int first = hull.get(0);
      double startKept = curve.get(first).setting();
      current.put(layer.layer(), startKept);
      totalBytes += bytes.get(layer.layer()).get(startKept);
      totalErrors += extra[first];
      for (int h = 1; h < hull.size(); h++) {
        int from = hull.get(h - 1);
        int to = hull.get(h);
        double kept = curve.get(to).setting();
        steps.add(
            new Step(
                layer.layer(),
                kept,
                bytes.get(layer.layer()).get(curve.get(from).setting())
                    - (long) bytes.get(layer.layer()).get(kept),
                extra[to] - extra[from]));
      }
    }
    // Slopes fall along each layer's hull, so this order keeps each layer's steps in order.
    steps.sort(Comparator.comparingDouble(Step::slope).reversed());
    List<Point> path = new ArrayList<>();
    path.add(new Point(copy(current), totalBytes, totalErrors));
    for (Step step : steps) {
      current.put(step.layer(), step.keptFraction());
      totalBytes -= step.bytesSaved();
      totalErrors += step.errorsAdded();
      path.add(new Point(copy(current), totalBytes, totalErrors));
    }
    return List.copyOf(path);
  }

  /**
   * The point of {@code path} for the round after one failed at {@code failed}, the last point that
   * passed being {@code passed}: the first at most halfway between their bytes (geometric mean);
   * when the two are neighbours, a point inserted into {@code path} between them ({@link
   * #between}); else {@code passed} again.
   */
  static int afterFailure(List<Point> path, int passed, int failed) {
    double halfway = Math.sqrt((double) path.get(passed).bytes() * path.get(failed).bytes());
    int target = passed + 1;
    while (target < failed && path.get(target).bytes() > halfway) {
      target++;
    }
    if (target < failed) {
      return target;
    }
    if (failed > passed + 1) {
      return passed;
    }
    Optional<Point> between = between(path.get(passed), path.get(failed));
    if (between.isEmpty()) {
      return passed;
    }
    path.add(failed, between.get());
    return failed;
  }

  /**
   * A point between two points of a path with none between them, for a round that passed at {@code
   * passed} after one failed at {@code failed}: each layer kept at the geometric mean of its two
   * fractions, with the geometric mean of their bytes as the prediction. Empty when no layer's
   * fractions are more than {@link #FINEST_RATIO} apart: a round there would measure noise rather
   * than a different setting.
   */
  static Optional<Point> between(Point passed, Point failed) {
    Map<String, Double> kept = new LinkedHashMap<>();
    boolean apart = false;
    for (Map.Entry<String, Double> layer : passed.keptFractions().entrySet()) {
      double from = layer.getValue();
      double to = failed.keptFractions().get(layer.getKey());
      apart |= from > FINEST_RATIO * to;
      kept.put(layer.getKey(), from == to ? from : Math.sqrt(from * to));
    }
    if (!apart) {
      return Optional.empty();
    }
    return Optional.of(
        new Point(
            copy(kept),
            Math.round(Math.sqrt((double) passed.bytes() * failed.bytes())),
            (passed.extraErrors() + failed.extraErrors()) / 2));
  }

  private static Map<String, Double> copy(Map<String, Double> map) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * Indices into {@code curve} (gentlest first) of the lower convex hull of its (errors, bytes)
   * points, from the fewest errors to the fewest bytes: at each point, the next one is the point
   * with fewer bytes that saves the most bytes per error added.
   */
  static List<Integer> lowerHull(
      List<Sensitivity.Point> curve, int[] extra, Map<Double, Integer> bytes) {
    int n = curve.size();
    long[] size = new long[n];
    for (int i = 0; i < n; i++) {
      Integer b = bytes.get(curve.get(i).setting());
      if (b == null) {
        throw new IllegalArgumentException("no encoded size at kept " + curve.get(i).setting());
      }
      size[i] = b;
    }
    // Start at the smallest point among those with the fewest errors.
    int at = 0;
    for (int i = 1; i < n; i++) {
      if (extra[i] < extra[at] || (extra[i] == extra[at] && size[i] < size[at])) {
        at = i;
      }
    }
    List<Integer> hull = new ArrayList<>();
    hull.add(at);
    while (true) {
      int next = -1;
      double bestSlope = -1;
      for (int i = 0; i < n; i++) {
        if (size[i] >= size[at] || extra[i] < extra[at]) {
          continue;
        }
        double slope =
            extra[i] == extra[at]
                ? Double.POSITIVE_INFINITY
                : (double) (size[at] - size[i]) / (extra[i] - extra[at]);
        if (next < 0 || slope > bestSlope || (slope == bestSlope && size[i] < size[next])) {
          next = i;
          bestSlope = slope;
        }
      }
      if (next < 0) {
        return hull;
      }
      hull.add(next);
      at = next;
    }
  }
}
