package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompressionPlanTest {

  @Test
  void thePlanKeepsTheOrderItWasGivenInSoTheFileRecordsItTheSameWayEveryRun() {
    // Eight layers named out of alphabetical order: a hash order matches this one by chance only.
    List<String> layers = List.of("fc7", "conv2", "ip1", "conv1", "fc6", "ip3", "conv5", "ip2");
    Map<String, ThresholdPolicy> pruning = new LinkedHashMap<>();
    Map<String, Integer> bits = new LinkedHashMap<>();
    Map<String, Integer> gaps = new LinkedHashMap<>();
    for (String layer : layers) {
      pruning.put(layer, new ThresholdPolicy.KeptFraction(0.5));
      bits.put(layer, 4);
      gaps.put(layer, 5);
    }
    CompressionPlan plan =
        new CompressionPlan(
            pruning,
            bits,
            gaps,
            1,
            0,
            0,
            0.1,
            KMeans1D.Init.LINEAR,
            CompressionPlan.Distilling.OFF);
    assertEquals(layers, List.copyOf(plan.pruning().keySet()));
    assertEquals(layers, List.copyOf(plan.weightBits().keySet()));
    assertEquals(layers, List.copyOf(plan.withAutoGapBits().gapBits().keySet()));

    String described = ReproduceCommand.describe(plan);
    List<Integer> at = new ArrayList<>();
    for (String layer : layers) {
      at.add(described.indexOf(layer + ": "));
    }
    List<Integer> ascending = new ArrayList<>(at);
    ascending.sort(null);
    assertTrue(at.get(0) >= 0 && at.equals(ascending), described);
  }
}
