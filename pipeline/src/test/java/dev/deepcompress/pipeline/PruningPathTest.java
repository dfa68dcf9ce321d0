package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PruningPathTest {
  private static final List<Double> KEEP = List.of(0.5, 0.2, 0.1);
  private static final int REFERENCE = 10;

  private static Sensitivity.LayerCurves layer(String name, int... extra) {
    List<Sensitivity.Point> pruning = new ArrayList<>();
    for (int i = 0; i < KEEP.size(); i++) {
      pruning.add(new Sensitivity.Point(KEEP.get(i), 0, REFERENCE + extra[i], 1000));
    }
    return new Sensitivity.LayerCurves(name, name + ".weight", 100, pruning, List.of());
  }

  private static Map<Double, Integer> bytes(int... bytes) {
    Map<Double, Integer> byKeep = new LinkedHashMap<>();
    for (int i = 0; i < KEEP.size(); i++) {
      byKeep.put(KEEP.get(i), bytes[i]);
    }
    return byKeep;
  }

  @Test
  void stepsComeInOrderOfBytesSavedPerErrorAndPointsAboveTheHullAreSkipped() {
    Sensitivity.Table table =
        new Sensitivity.Table(
            REFERENCE,
            1000,
            false,
            List.of(layer("a", 0, 1, 10), layer("b", 0, 0, 5), layer("c", 0, 5, 6)));
    Map<String, Map<Double, Integer>> bytes =
        Map.of(
            "a", bytes(100, 40, 20),
            "b", bytes(50, 30, 10),
            "c", bytes(100, 90, 10));
    List<PruningPath.Point> path = PruningPath.of(table, bytes);
    // b starts at 20%, which costs nothing; then a to 20% saves 60 B per error; c straight to 10%
    // 15 B per error (its 20% point lies above the hull); b to 10% 4; a to 10% 20/9.
    List<String> expected =
        List.of(
            "a=0.5 b=0.2 c=0.5 230 0",
            "a=0.2 b=0.2 c=0.5 170 1",
            "a=0.2 b=0.2 c=0.1 80 7",
            "a=0.2 b=0.1 c=0.1 60 12",
            "a=0.1 b=0.1 c=0.1 40 21");
    List<String> actual = new ArrayList<>();
    for (PruningPath.Point point : path) {
      StringBuilder text = new StringBuilder();
      point.keptFractions().forEach((l, k) -> text.append(l).append('=').append(k).append(' '));
      actual.add(text.toString() + point.bytes() + " " + point.extraErrors());
    }
    assertEquals(expected, actual);
  }

  @Test
  void pointBetweenNeighboursTakesTheGeometricMeanOfEachLayersKeptFractions() {
    PruningPath.Point passed = new PruningPath.Point(Map.of("a", 0.1, "b", 0.5), 400, 2);
    PruningPath.Point failed = new PruningPath.Point(Map.of("a", 0.025, "b", 0.5), 100, 9);
    PruningPath.Point between = PruningPath.between(passed, failed).orElseThrow();
    assertEquals(0.05, between.keptFractions().get("a"), 1e-15);
    assertEquals(0.5, between.keptFractions().get("b"));
    assertEquals(200, between.bytes());
    assertEquals(5, between.extraErrors());
  }

  @Test
  void noPointBetweenNeighboursWhoseFractionsAreWithinTheFinestRatio() {
    PruningPath.Point passed = new PruningPath.Point(Map.of("a", 0.06), 400, 2);
    assertTrue(
        PruningPath.between(passed, new PruningPath.Point(Map.of("a", 0.051), 300, 3)).isEmpty());
    assertTrue(
        PruningPath.between(passed, new PruningPath.Point(Map.of("a", 0.049), 300, 3)).isPresent());
  }

  private static List<PruningPath.Point> walk(double[] kept, long... bytes) {
    List<PruningPath.Point> path = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      path.add(new PruningPath.Point(Map.of("a", kept[i]), bytes[i], i));
    }
    return path;
  }

  @Test
  void afterAFailureTheRoundGoesHalfwayInBytesOrAsNearAsThePathAllows() {
    double[] kept = {0.5, 0.3, 0.2, 0.1, 0.05};
    // Halfway between 1000 and 100 B is 316 B: the first point at most that is the third.
    assertEquals(2, PruningPath.afterFailure(walk(kept, 1000, 500, 300, 200, 100), 0, 4));
    // Every point between has more bytes than halfway: the last point that passed again.
    assertEquals(0, PruningPath.afterFailure(walk(kept, 1000, 900, 800, 200, 100), 0, 3));
    // Neighbours: a point is inserted between them, and the failed one moves up by one.
    List<PruningPath.Point> path = walk(kept, 1000, 500, 300, 200, 100);
    assertEquals(4, PruningPath.afterFailure(path, 3, 4));
    assertEquals(6, path.size());
    assertEquals(Math.sqrt(0.1 * 0.05), path.get(4).keptFractions().get("a"), 1e-15);
    assertEquals(0.05, path.get(5).keptFractions().get("a"));
    // Neighbours too close to split: the last point that passed again.
    double[] close = {0.5, 0.3, 0.2, 0.1, 0.09};
    assertEquals(3, PruningPath.afterFailure(walk(close, 1000, 500, 300, 200, 190), 3, 4));
  }
}
