package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.training.ReferenceArchitectures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompressionPlanTest {

  @Test
  void thePlanKeepsTheOrderItWasGivenInSoTheFileRecordsItTheSameWayEveryRun() {
    // Eight layers named out of alphabetical order: a hash order matches this one by chance only.
    List<String> names = List.of("fc7", "conv2", "ip1", "conv1", "fc6", "ip3", "conv5", "ip2");
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    for (String layer : names) {
      layers.put(layer, LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 4).withGapBits(5));
    }
    CompressionPlan plan = new CompressionPlan(layers, CompressionPlan.Retraining.DEFAULT);
    assertEquals(names, List.copyOf(plan.layers().keySet()));
    assertEquals(names, List.copyOf(plan.withAutoGapBits().layers().keySet()));
    assertEquals(names, List.copyOf(CompressionPlan.fromJson(plan.toJson()).layers().keySet()));

    String described = plan.describe();
    List<Integer> at = new ArrayList<>();
    for (String layer : names) {
      at.add(described.indexOf(layer + ": "));
    }
    List<Integer> ascending = new ArrayList<>(at);
    ascending.sort(null);
    assertTrue(at.get(0) >= 0 && at.equals(ascending), described);
  }

  @Test
  void thePaperPlanReadsAsBeforeInTheFilesMetadata() {
    CompressionPlan plan =
        CompressionPlan.paper(PaperResults.forModel("lenet-300-100").orElseThrow())
            .withAutoGapBits();
    assertEquals(
        "ip1: keep 7.0%, 6-bit weights, smallest-size gaps; ip2: keep 9.0%, 6-bit weights,"
            + " smallest-size gaps; ip3: keep 26.0%, 6-bit weights, smallest-size gaps; 6×10"
            + " pruning epochs, 12 centroid epochs, retraining on labels only",
        plan.describe());
  }

  @Test
  void aPlanRoundTripsThroughJson() {
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    layers.put(
        "conv1",
        new LayerPlan(
            new ThresholdPolicy.QualityTimesStd(0.7),
            QuantizerSpec.parse("uniform:4,sym,group=10,percentile=99.5,post"),
            3,
            LayerPlan.Bias.UNIFORM8));
    layers.put(
        "ip1",
        new LayerPlan(
            new ThresholdPolicy.KeptFraction(0.07),
            QuantizerSpec.parse("kmeans:6,kmeans++"),
            LayerPlan.AUTO_GAP_BITS,
            LayerPlan.Bias.FP32));
    layers.put("ip2", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(1), 2));
    CompressionPlan plan =
        new CompressionPlan(
            layers,
            new CompressionPlan.Retraining(3, 2, 5, 0.02, new CompressionPlan.Distilling(2, 0.5)));
    String json = plan.toJson();
    assertEquals(plan, CompressionPlan.fromJson(json));
    Map<String, Object> root = JsonReader.object(JsonReader.parse(json));
    Map<String, Object> conv1 =
        JsonReader.object(JsonReader.object(root.get("layers")).get("conv1"));
    assertEquals("uniform:4,sym,group=10,percentile=99.5,post", conv1.get("quantizer"));
    assertEquals(Map.of("std", 0.7), conv1.get("prune"));
    assertEquals("uniform8", conv1.get("bias"));
  }

  @Test
  void theCubicScheduleIsWrittenAndReadWhileIterativePlansKeepTheirText() {
    Map<String, LayerPlan> layers =
        Map.of("ip1", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.1), 4));
    CompressionPlan iterative = new CompressionPlan(layers, CompressionPlan.Retraining.DEFAULT);
    CompressionPlan cubic =
        iterative.withRetraining(
            iterative.retraining().withPruneSchedule(CompressionPlan.PruneSchedule.CUBIC));
    assertEquals(cubic, CompressionPlan.fromJson(cubic.toJson()));
    Map<String, Object> retraining =
        JsonReader.object(JsonReader.object(JsonReader.parse(cubic.toJson())).get("retraining"));
    assertEquals("cubic", retraining.get("prune_schedule"));
    assertTrue(cubic.describe().contains("6×10 pruning epochs (cubic ramp), "), cubic.describe());
    assertFalse(iterative.toJson().contains("prune_schedule"), iterative.toJson());
    assertFalse(iterative.describe().contains("cubic"), iterative.describe());
    String explicit = cubic.toJson().replace("\"cubic\"", "\"iterative\"");
    assertEquals(iterative, CompressionPlan.fromJson(explicit));
  }

  @Test
  void aPlanFileMayLeaveOutTheDefaults() {
    CompressionPlan plan =
        CompressionPlan.fromJson(
            """
            {"format": "deepcompress-plan/1",
             "layers": {"ip1": {"prune": {"keep": 0.1}, "quantizer": "log:3"}}}
            """);
    LayerPlan ip1 = plan.layers().get("ip1");
    assertEquals(LayerPlan.AUTO_GAP_BITS, ip1.gapBits());
    assertEquals(LayerPlan.Bias.FP32, ip1.bias());
    assertEquals("log:3,base2,trained", ip1.quantizer().toString());
    assertEquals(CompressionPlan.Retraining.DEFAULT, plan.retraining());
  }

  /** A plan file's retraining object with the pruning schedule left to fill in. */
  private static final String RETRAINING =
      "{\"prune_iterations\": 2, \"prune_epochs\": 1, \"quantize_epochs\": 1,"
          + " \"learning_rate_scale\": 0.1, \"distillation\": {\"temperature\": 2, \"weight\": 0},"
          + " \"prune_schedule\": \"%s\"}";

  @Test
  void aBadPlanFileSaysWhatAndWhere() {
    String[][] cases = {
      {"{\"format\": \"deepcompress-plan/1\", \"layers\": {}", "JSON: '}' expected at line 1"},
      {"{\"format\": \"x\", \"layers\": {}}", "plan: format is 'x'"},
      {"{\"format\": \"deepcompress-plan/1\", \"layers\": {}}", "the plan compresses no layer"},
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"keep\": 0.1},"
            + " \"quantizer\": \"kmeans:9\"}}}",
        "plan: layer ip1: index bits must be in 1..8, got 9"
      },
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"keep\": 0.1},"
            + " \"quantizer\": \"kmeans:4\", \"bits\": 4}}}",
        "plan: plan.layers.ip1 has an unknown key \"bits\""
      },
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"keep\": 0.1,"
            + " \"std\": 1}, \"quantizer\": \"kmeans:4\"}}}",
        "plan: ip1.prune needs exactly one of \"keep\" and \"std\""
      },
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"keep\": 0.1},"
            + " \"quantizer\": \"kmeans:4\", \"gap_bits\": 2.5}}}",
        "plan: plan.layers.ip1.gap_bits must be a whole number, got 2.5"
      },
      {"[".repeat(100), "JSON: nesting deeper than 64"},
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"keep\": 0.1},"
            + " \"quantizer\": \"kmeans:4\"}}, \"retraining\": "
            + RETRAINING.formatted("linear")
            + "}",
        "plan: retraining.prune_schedule: unknown pruning schedule 'linear'; known: iterative, cubic"
      },
      {
        "{\"format\": \"deepcompress-plan/1\", \"layers\": {\"ip1\": {\"prune\": {\"std\": 1},"
            + " \"quantizer\": \"kmeans:4\"}}, \"retraining\": "
            + RETRAINING.formatted("cubic")
            + "}",
        "the cubic pruning schedule ramps to kept fractions; ip1 is pruned below 1.0·σ"
      },
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> CompressionPlan.fromJson(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
    }
  }

  @Test
  void requireFitsNamesTheLayersThereAre() {
    CompressionPlan plan =
        new CompressionPlan(
            Map.of("fc6", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 4)),
            CompressionPlan.Retraining.DEFAULT);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> plan.requireFits(ReferenceArchitectures.lenet300100()));
    assertEquals(
        "no layer with weights named 'fc6' in lenet-300-100; layers with weights: ip1, ip2, ip3",
        e.getMessage());
  }
}
