package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IterativePruningTest {

  @Test
  void prunedWeightsStayExactlyZeroThroughRetraining() {
    Network network = Network.initialize(TestData.MLP, 1);
    Batches batches = new Batches(TestData.quadrants(2000, 7), 64, 1);
    SampleSet test = TestData.quadrants(500, 99);
    Trainer reference = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 5; epoch++) {
      reference.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    Map<String, ThresholdPolicy> plan =
        Map.of(
            "ip1", new ThresholdPolicy.KeptFraction(0.1),
            "ip2", new ThresholdPolicy.KeptFraction(0.5));
    SolverConfig retrain =
        SolverConfig.caffeLenet().withSchedule(SolverConfig.caffeLenet().schedule().scaled(0.1));
    IterativePruning.Result result =
        IterativePruning.run(
            network,
            plan,
            new IterativePruning.Settings(3, 3, retrain),
            batches,
            5,
            test,
            new IterativePruning.Listener() {});

    List<IterativePruning.IterationReport> reports = result.iterations();
    assertEquals(3, reports.size());
    for (int i = 1; i < reports.size(); i++) {
      for (int layer = 0; layer < 2; layer++) {
        assertTrue(
            reports.get(i).layers().get(layer).kept()
                <= reports.get(i - 1).layers().get(layer).kept(),
            "masks only narrow");
      }
    }
    assertEquals(256, reports.get(2).layers().get(0).kept(), "10% of 64×40");
    assertEquals(80, reports.get(2).layers().get(1).kept(), "50% of 40×4");

    for (String layer : List.of("ip1", "ip2")) {
      PruningMask mask = result.masks().get(layer);
      float[] w = network.parameter(layer + ".weight").values();
      int nonZero = 0;
      for (int i = 0; i < w.length; i++) {
        if (!mask.isKept(i)) {
          assertEquals(0, Float.floatToRawIntBits(w[i]), layer + "[" + i + "] must be +0.0");
        } else if (w[i] != 0f) {
          nonZero++;
        }
      }
      assertEquals(mask.keptCount(), nonZero, "survivors are still trained, not zeroed");
    }
    assertTrue(reports.get(2).errorPct() < 10, "pruned net still works: " + reports.get(2));
  }

  @Test
  void unknownLayerInThePlanIsRejected() {
    Network network = Network.initialize(TestData.MLP, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IterativePruning.weightsByLayer(
                    network, Map.of("fc9", new ThresholdPolicy.KeptFraction(0.5))));
    assertTrue(e.getMessage().contains("fc9"), e.getMessage());
  }
}
