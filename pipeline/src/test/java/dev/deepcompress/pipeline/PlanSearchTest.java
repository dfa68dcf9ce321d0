package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlanSearchTest {
  private static final List<Double> KEEP = List.of(0.5, 0.2, 0.1, 0.05);
  private static final List<Integer> BITS = List.of(2, 4, 6);

  private static Sensitivity.Point point(double setting, int errors) {
    return new Sensitivity.Point(setting, errors + 7, errors, 1000);
  }

  @Test
  void curvesBecomeMonotoneAndNeverCountAGainOverTheReference() {
    List<Sensitivity.Point> curve =
        List.of(point(0.5, 8), point(0.2, 12), point(0.1, 11), point(0.05, 30));
    assertArrayEquals(new int[] {0, 2, 2, 20}, PlanSearch.extraErrors(curve, 10));
    assertEquals(
        List.of(6.0, 4.0, 2.0),
        PlanSearch.gentlestFirst(List.of(point(2, 0), point(6, 0), point(4, 0))).stream()
            .map(Sensitivity.Point::setting)
            .toList());
  }

  /** Random curves and sizes; the dynamic programme must match trying every combination. */
  @Test
  void theChoiceIsTheSmallestOfAllCombinationsWithinTheBudget() {
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 50; round++) {
      int reference = 20;
      List<Sensitivity.LayerCurves> layers = new ArrayList<>();
      Map<String, Map<Double, Map<Integer, Integer>>> bytes = new LinkedHashMap<>();
      for (int l = 0; l < 3; l++) {
        List<Sensitivity.Point> pruning = new ArrayList<>();
        for (double k : KEEP) {
          pruning.add(point(k, reference + random.nextInt(-2, 15)));
        }
        List<Sensitivity.Point> quantization = new ArrayList<>();
        for (int b : BITS) {
          quantization.add(point(b, reference + random.nextInt(-2, 10)));
        }
        layers.add(
            new Sensitivity.LayerCurves("l" + l, "l" + l + ".weight", 100, pruning, quantization));
        Map<Double, Map<Integer, Integer>> byKeep = new LinkedHashMap<>();
        for (double k : KEEP) {
          Map<Integer, Integer> byBits = new LinkedHashMap<>();
          for (int b : BITS) {
            byBits.put(b, (int) (k * 1000 * b) + random.nextInt(50));
          }
          byKeep.put(k, byBits);
        }
        bytes.put("l" + l, byKeep);
      }
      Sensitivity.Table table = new Sensitivity.Table(reference, 1000, true, layers);
      int budget = random.nextInt(0, 25);
      long bestBytes = Long.MAX_VALUE;
      int bestErrors = Integer.MAX_VALUE;
      for (int[] combination : combinations(3, KEEP.size() * BITS.size())) {
        long total = 0;
        int errors = 0;
        for (int l = 0; l < 3; l++) {
          int p = combination[l] / BITS.size();
          int q = combination[l] % BITS.size();
          Sensitivity.LayerCurves layer = layers.get(l);
          errors +=
              PlanSearch.extraErrors(layer.pruning(), reference)[p]
                  + PlanSearch.extraErrors(
                      PlanSearch.gentlestFirst(layer.quantization()), reference)[
                      BITS.size() - 1 - q];
          total += bytes.get("l" + l).get(KEEP.get(p)).get(BITS.get(q));
        }
        if (errors <= budget
            && (total < bestBytes || (total == bestBytes && errors < bestErrors))) {
          bestBytes = total;
          bestErrors = errors;
        }
      }
      if (bestBytes == Long.MAX_VALUE) {
        assertThrows(IllegalArgumentException.class, () -> PlanSearch.choose(table, bytes, budget));
        continue;
      }
      PlanSearch.Result result = PlanSearch.choose(table, bytes, budget);
      assertEquals(bestBytes, result.bytes(), "round " + round);
      assertTrue(result.extraErrors() <= budget);
      for (PlanSearch.Choice choice : result.choices()) {
        assertEquals(
            (int) bytes.get(choice.layer()).get(choice.keptFraction()).get(choice.bits()),
            choice.bytes());
      }
    }
  }

  @Test
  void aBudgetNoLayerFitsIsRefused() {
    List<Sensitivity.Point> bad = List.of(point(0.5, 30));
    Sensitivity.Table table =
        new Sensitivity.Table(
            20,
            1000,
            false,
            List.of(new Sensitivity.LayerCurves("l", "l.weight", 10, bad, List.of(point(4, 20)))));
    Map<String, Map<Double, Map<Integer, Integer>>> bytes = Map.of("l", Map.of(0.5, Map.of(4, 9)));
    assertThrows(IllegalArgumentException.class, () -> PlanSearch.choose(table, bytes, 5));
    assertEquals(9, PlanSearch.choose(table, bytes, 10).bytes());
  }

  private static List<int[]> combinations(int layers, int options) {
    List<int[]> all = new ArrayList<>();
    int count = (int) Math.pow(options, layers);
    for (int i = 0; i < count; i++) {
      int[] c = new int[layers];
      int rest = i;
      for (int l = 0; l < layers; l++) {
        c[l] = rest % options;
        rest /= options;
      }
      all.add(c);
    }
    return all;
  }
}
