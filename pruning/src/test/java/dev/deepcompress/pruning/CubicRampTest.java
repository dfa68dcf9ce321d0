package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.training.SolverConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CubicRampTest {
  private static final double EXACT = 1e-15;

  /** Sparsity from 0 to 90% in 4 steps of 10: 0.9 − 0.9 (1 − t/40)³, worked out by hand. */
  @Test
  void sparsityFollowsTheCubicFormula() {
    CubicRamp ramp = new CubicRamp(0, 0.9, 0, 4, 10);
    assertEquals(0, ramp.valueAt(0), EXACT);
    assertEquals(0.2970703125, ramp.valueAt(5), EXACT); // 0.9 − 0.9 · (35/40)³
    assertEquals(0.5203125, ramp.valueAt(10), EXACT); // 0.9 − 0.9 · 27/64
    assertEquals(0.7875, ramp.valueAt(20), EXACT); // 0.9 − 0.9 · 1/8
    assertEquals(0.8859375, ramp.valueAt(30), EXACT); // 0.9 − 0.9 · 1/64
    assertEquals(0.9, ramp.valueAt(40));
    assertEquals(0.9, ramp.valueAt(1_000));
    assertEquals(40, ramp.end());
  }

  @Test
  void aLaterStartAndANonZeroInitialSparsityShiftTheRamp() {
    CubicRamp ramp = new CubicRamp(0.5, 0.9, 100, 2, 50);
    assertEquals(0.5, ramp.valueAt(0));
    assertEquals(0.5, ramp.valueAt(100));
    assertEquals(0.85, ramp.valueAt(150), EXACT); // 0.9 − 0.4 · (1/2)³
    assertEquals(0.9, ramp.valueAt(200));
  }

  @Test
  void pruningStepsAreStartThenEveryIntervalUntilTheEnd() {
    CubicRamp ramp = new CubicRamp(0, 0.9, 0, 4, 10);
    List<Long> steps = new ArrayList<>();
    for (long t = 0; t <= 100; t++) {
      if (ramp.isPruningStep(t)) {
        steps.add(t);
      }
    }
    assertEquals(List.of(0L, 10L, 20L, 30L, 40L), steps);
    assertEquals(0, ramp.nextPruningStep(0));
    assertEquals(10, ramp.nextPruningStep(1));
    assertEquals(40, ramp.nextPruningStep(40));
    assertEquals(Long.MAX_VALUE, ramp.nextPruningStep(41));
    assertEquals(100, new CubicRamp(1, 0.5, 100, 3, 7).nextPruningStep(3));
  }

  @Test
  void theKeptFractionRampIsOneMinusTheSparsityRamp() {
    CubicRamp sparsity = new CubicRamp(0, 0.93, 0, 7, 3);
    CubicRamp kept = new CubicRamp(1, 0.07, 0, 7, 3);
    for (long t = 0; t <= 25; t++) {
      assertEquals(1 - sparsity.valueAt(t), kept.valueAt(t), 1e-12, "t = " + t);
    }
    assertEquals(0.07, kept.valueAt(21), "the last step lands on the target exactly");
  }

  @Test
  void noStepsReachesTheTargetAtTheStart() {
    CubicRamp ramp = new CubicRamp(1, 0.2, 0, 0, 1);
    assertEquals(0.2, ramp.valueAt(0));
    assertTrue(ramp.isPruningStep(0));
    assertFalse(ramp.isPruningStep(1));
  }

  @Test
  void settingsSpreadTheStepsOverTheRampEpochs() {
    IterativePruning.Settings rounds =
        new IterativePruning.Settings(3, 2, SolverConfig.caffeLenet());
    GradualPruning.Settings settings = new GradualPruning.Settings(rounds, 4, 10);
    // 25 batches an epoch, a step every 2: 50 steps end at batch 100 = 4 epochs.
    assertEquals(new CubicRamp(1, 0.1, 0, 50, 2), settings.ramp(0.1, 25));
    // Fewer batches than steps an epoch: a step after every batch.
    assertEquals(new CubicRamp(1, 0.1, 0, 28, 1), settings.ramp(0.1, 7));
    assertEquals(
        new CubicRamp(1, 0.1, 0, 0, 2), new GradualPruning.Settings(rounds, 0, 10).ramp(0.1, 25));
    assertThrows(IllegalArgumentException.class, () -> new GradualPruning.Settings(rounds, 7, 10));
    assertThrows(IllegalArgumentException.class, () -> new CubicRamp(0, 1, 0, 1, 0));
  }
}
