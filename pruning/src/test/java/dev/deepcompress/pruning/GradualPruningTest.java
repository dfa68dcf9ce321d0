package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class GradualPruningTest {
  private static final Map<String, ThresholdPolicy> PLAN =
      Map.of(
          "ip1.weight", new ThresholdPolicy.KeptFraction(0.1),
          "ip2.weight", new ThresholdPolicy.KeptFraction(0.5));

  /** 3 rounds of 2 epochs, the ramp over the first 4 epochs, 4 pruning steps per epoch. */
  private static final GradualPruning.Settings SETTINGS =
      new GradualPruning.Settings(
          new IterativePruning.Settings(
              3,
              2,
              SolverConfig.caffeLenet()
                  .withSchedule(SolverConfig.caffeLenet().schedule().scaled(0.1))),
          4,
          4);

  private static final Batches FEW = new Batches(TestData.quadrants(600, 7), 64, 1);
  private static final Batches MORE = new Batches(TestData.quadrants(2000, 7), 64, 1);
  private static final SampleSet MONITOR = TestData.quadrants(500, 99);

  private static Model trained(Batches batches, int epochs) {
    Network network = Network.initialize(TestData.MLP, 1);
    Trainer reference = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < epochs; epoch++) {
      reference.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    return network.toModel(Map.of());
  }

  private static IterativePruning.Result run(
      Network network,
      Batches batches,
      Optional<IterativePruning.Progress> from,
      List<IterativePruning.Progress> saved) {
    return GradualPruning.run(
        network,
        PLAN,
        SETTINGS,
        batches,
        5,
        MONITOR,
        from,
        new IterativePruning.Listener() {
          @Override
          public void epochFinished(IterativePruning.Progress progress) {
            saved.add(progress);
          }
        });
  }

  @Test
  void masksOnlyNarrowAlongTheRampAndEndAtThePlannedFractions() {
    Network network = Network.fromModel(trained(MORE, 5));
    List<IterativePruning.Progress> saved = new ArrayList<>();
    IterativePruning.Result result = run(network, MORE, Optional.empty(), saved);
    assertEquals(6, saved.size());
    assertEquals(6, result.losses().size());
    int perEpoch = MORE.batchesPerEpoch();
    Map<String, Mask> before = Map.of("ip1.weight", Mask.all(2560), "ip2.weight", Mask.all(160));
    for (int e = 0; e < saved.size(); e++) {
      IterativePruning.Progress progress = saved.get(e);
      // The last pruning step at or before this epoch's end decides the kept counts.
      CubicRamp timing = SETTINGS.ramp(1, perEpoch);
      long last = Math.min((long) (e + 1) * perEpoch, timing.end());
      last -= last % timing.interval();
      for (IterativePruning.TensorStats stats : progress.pruned()) {
        String name = stats.tensor();
        double kept = ((ThresholdPolicy.KeptFraction) PLAN.get(name)).keptFraction();
        double fraction = SETTINGS.ramp(kept, perEpoch).valueAt(last);
        assertEquals(
            Math.round(fraction * stats.weights()), stats.kept(), name + " after epoch " + (e + 1));
        Mask mask = progress.masks().get(name);
        assertEquals(stats.kept(), mask.keptCount());
        for (int i = 0; i < mask.size(); i++) {
          assertTrue(before.get(name).isKept(i) || !mask.isKept(i), name + "[" + i + "] came back");
          if (!mask.isKept(i)) {
            float[] values = progress.trainer().parameters().get(name);
            assertEquals(0, Float.floatToRawIntBits(values[i]), name + "[" + i + "] must be +0.0");
          }
        }
      }
      before = progress.masks();
    }
    List<IterativePruning.IterationReport> reports = result.iterations();
    assertEquals(List.of(1, 2, 3), reports.stream().map(r -> r.iteration()).toList());
    assertTrue(reports.get(0).tensors().get(0).kept() > 256, "round 1 is still ramping");
    for (IterativePruning.IterationReport report : reports.subList(1, 3)) {
      assertEquals(256, report.tensors().get(0).kept(), "10% of 64×40");
      assertEquals(80, report.tensors().get(1).kept(), "50% of 40×4");
    }
    assertEquals(256, result.tensors().get("ip1.weight").mask().keptCount());
    assertEquals(80, result.tensors().get("ip2.weight").mask().keptCount());
    assertEquals(
        reports.get(1).errorAfterPruningPct(),
        reports.get(2).errorAfterPruningPct(),
        "round 3 prunes nothing: its error after pruning is round 2's, at the ramp's end");
    assertTrue(reports.get(2).errorPct() < 10, "the pruned net still works: " + reports.get(2));
  }

  /** Same seed and data, same run; and continued from any epoch, the uninterrupted one. */
  @Test
  void runsAreDeterministicAndContinueExactlyFromAnyEpoch() {
    Model trained = trained(FEW, 3);
    Network network = Network.fromModel(trained);
    List<IterativePruning.Progress> saved = new ArrayList<>();
    IterativePruning.Result whole = run(network, FEW, Optional.empty(), saved);

    Network again = Network.fromModel(trained);
    assertEquals(whole, run(again, FEW, Optional.empty(), new ArrayList<>()));
    for (int p = 0; p < network.parameters().size(); p++) {
      assertArrayEquals(network.parameters().get(p).values(), again.parameters().get(p).values());
    }

    for (IterativePruning.Progress progress : saved) {
      Network resumed = Network.fromModel(trained);
      IterativePruning.Result result = run(resumed, FEW, Optional.of(progress), new ArrayList<>());
      String at = "from round " + progress.iteration() + ", epoch " + progress.epochsDone();
      assertEquals(whole, result, at);
      for (int p = 0; p < network.parameters().size(); p++) {
        assertArrayEquals(
            network.parameters().get(p).values(), resumed.parameters().get(p).values(), at);
      }
    }
  }

  @Test
  void aRampOfNoEpochsPrunesToThePlanAtOnce() {
    Network network = Network.fromModel(trained(FEW, 3));
    GradualPruning.Settings atOnce = new GradualPruning.Settings(SETTINGS.rounds(), 0, 4);
    IterativePruning.Result result =
        GradualPruning.run(
            network,
            PLAN,
            atOnce,
            FEW,
            5,
            MONITOR,
            Optional.empty(),
            new IterativePruning.Listener() {});
    for (IterativePruning.IterationReport report : result.iterations()) {
      assertEquals(256, report.tensors().get(0).kept());
      assertEquals(80, report.tensors().get(1).kept());
    }
  }

  @Test
  void aThresholdOtherThanAKeptFractionIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GradualPruning.run(
                    Network.initialize(TestData.MLP, 1),
                    Map.of("ip1.weight", new ThresholdPolicy.QualityTimesStd(1)),
                    SETTINGS,
                    FEW,
                    0,
                    MONITOR,
                    Optional.empty(),
                    new IterativePruning.Listener() {}));
    assertEquals(
        "gradual pruning ramps to a kept fraction; ip1.weight is pruned by 1.0·σ", e.getMessage());
  }
}
