package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IterativePruningTest {

  /** A listener that keeps every epoch's progress. */
  private static IterativePruning.Listener recording(List<IterativePruning.Progress> saved) {
    return new IterativePruning.Listener() {
      @Override
      public void epochFinished(IterativePruning.Progress progress) {
        saved.add(progress);
      }
    };
  }

  /**
   * A run continued from each epoch's progress, in a network that holds only the reference's
   * weights, ends exactly as the uninterrupted run: same weights, masks, reports and losses.
   */
  @Test
  void aRunContinuedFromAnyEpochEndsExactlyAsTheUninterruptedOne() {
    Network network = Network.initialize(TestData.MLP, 1);
    Batches batches = new Batches(TestData.quadrants(600, 7), 64, 1);
    SampleSet test = TestData.quadrants(200, 99);
    Trainer reference = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 3; epoch++) {
      reference.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    Model trained = network.toModel(Map.of());
    Map<String, ThresholdPolicy> plan =
        Map.of(
            "ip1.weight", new ThresholdPolicy.KeptFraction(0.2),
            "ip2.weight", new ThresholdPolicy.QualityTimesStd(0.5));
    SolverConfig retrain =
        SolverConfig.caffeLenet().withSchedule(SolverConfig.caffeLenet().schedule().scaled(0.1));
    IterativePruning.Settings settings = new IterativePruning.Settings(3, 2, retrain);
    List<IterativePruning.Progress> saved = new ArrayList<>();
    IterativePruning.Result whole =
        IterativePruning.run(network, plan, settings, batches, 5, test, recording(saved));
    assertEquals(6, saved.size());
    assertEquals(6, whole.losses().size());

    for (IterativePruning.Progress progress : saved) {
      Network resumed = Network.fromModel(trained);
      IterativePruning.Result result =
          IterativePruning.run(
              resumed,
              plan,
              settings,
              batches,
              5,
              test,
              Optional.of(progress),
              new IterativePruning.Listener() {});
      String at = "from iteration " + progress.iteration() + ", epoch " + progress.epochsDone();
      assertEquals(whole, result, at);
      for (int p = 0; p < network.parameters().size(); p++) {
        assertArrayEquals(
            network.parameters().get(p).values(), resumed.parameters().get(p).values(), at);
      }
    }
  }

  @Test
  void progressOfAnotherRunIsRefused() {
    Network network = Network.initialize(TestData.MLP, 1);
    Batches batches = new Batches(TestData.quadrants(200, 7), 64, 1);
    Map<String, ThresholdPolicy> plan = Map.of("ip1.weight", new ThresholdPolicy.KeptFraction(0.5));
    IterativePruning.Settings settings =
        new IterativePruning.Settings(2, 1, SolverConfig.caffeLenet());
    List<IterativePruning.Progress> saved = new ArrayList<>();
    IterativePruning.run(
        network, plan, settings, batches, 0, TestData.quadrants(50, 3), recording(saved));
    IterativePruning.Settings longer =
        new IterativePruning.Settings(2, 3, SolverConfig.caffeLenet());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IterativePruning.run(
                    network,
                    plan,
                    longer,
                    batches,
                    0,
                    TestData.quadrants(50, 3),
                    Optional.of(saved.get(1)),
                    new IterativePruning.Listener() {}));
    assertTrue(e.getMessage().contains("epoch losses"), e.getMessage());
    Map<String, ThresholdPolicy> otherPlan =
        Map.of("ip2.weight", new ThresholdPolicy.KeptFraction(0.5));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IterativePruning.run(
                    network,
                    otherPlan,
                    settings,
                    batches,
                    0,
                    TestData.quadrants(50, 3),
                    Optional.of(saved.get(0)),
                    new IterativePruning.Listener() {}));
    assertTrue(e.getMessage().contains("masks for [ip1.weight]"), e.getMessage());
  }

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
            "ip1.weight", new ThresholdPolicy.KeptFraction(0.1),
            "ip2.weight", new ThresholdPolicy.KeptFraction(0.5));
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
      for (int tensor = 0; tensor < 2; tensor++) {
        assertTrue(
            reports.get(i).tensors().get(tensor).kept()
                <= reports.get(i - 1).tensors().get(tensor).kept(),
            "masks only narrow");
      }
    }
    assertEquals(256, reports.get(2).tensors().get(0).kept(), "10% of 64×40");
    assertEquals(80, reports.get(2).tensors().get(1).kept(), "50% of 40×4");

    assertEquals(List.of("ip1.weight", "ip2.weight"), List.copyOf(result.tensors().keySet()));
    for (CompressedTensor tensor : result.tensors().values()) {
      String name = tensor.name();
      Mask mask = tensor.mask();
      assertEquals(network.parameter(name).spec(), tensor.spec());
      assertTrue(tensor.quantization().isEmpty(), "pruning does not quantize");
      assertEquals(
          reports.get(2).tensors().get(name.equals("ip1.weight") ? 0 : 1).kept(),
          mask.keptCount(),
          name + ": the value holds the last iteration's mask");
      float[] w = network.parameter(name).values();
      int nonZero = 0;
      for (int i = 0; i < w.length; i++) {
        if (!mask.isKept(i)) {
          assertEquals(0, Float.floatToRawIntBits(w[i]), name + "[" + i + "] must be +0.0");
        } else if (w[i] != 0f) {
          nonZero++;
        }
      }
      assertEquals(mask.keptCount(), nonZero, "survivors are still trained, not zeroed");
    }
    assertTrue(reports.get(2).errorPct() < 10, "pruned net still works: " + reports.get(2));
  }

  @Test
  void unknownParameterInThePlanIsRejected() {
    Network network = Network.initialize(TestData.MLP, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IterativePruning.plannedParameters(
                    network, Map.of("ip1", new ThresholdPolicy.KeptFraction(0.5))));
    assertEquals(
        "no parameter named 'ip1' to prune; the network has"
            + " [ip1.weight, ip1.bias, ip2.weight, ip2.bias]",
        e.getMessage());
  }
}
