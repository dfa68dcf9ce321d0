package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SgdTest {

  @Test
  void momentumAndWeightDecayFollowCaffesUpdate() {
    Parameter weight =
        new Parameter(
            new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(2)), new float[] {1f, -2f});
    Parameter bias =
        new Parameter(
            new ParameterSpec("b", ParameterSpec.Role.BIAS, Shape.of(1)), new float[] {3f});
    SolverConfig config = new SolverConfig(new LearningRateSchedule.Fixed(0.1), 0.9, 0.1, 2.0);
    Sgd sgd = new Sgd(List.of(weight, bias), config);

    double[] w = {1, -2, 3};
    double[] v = new double[3];
    double[] rate = {0.1, 0.1, 0.2};
    for (int step = 0; step < 3; step++) {
      weight.gradient()[0] = 0.5f;
      weight.gradient()[1] = 0.25f;
      bias.gradient()[0] = -1f;
      double[] g = {0.5, 0.25, -1};
      sgd.step(step);
      for (int i = 0; i < 3; i++) {
        v[i] = 0.9 * v[i] + rate[i] * (g[i] + 0.1 * w[i]);
        w[i] -= v[i];
      }
    }
    assertEquals(w[0], weight.values()[0], 1e-6);
    assertEquals(w[1], weight.values()[1], 1e-6);
    assertEquals(w[2], bias.values()[0], 1e-6);
  }

  /** A parameter spanning several update blocks ends bit-identical with one and two threads. */
  @Test
  void updatesDoNotDependOnTheThreadCount() {
    int saved = KernelThreads.threads();
    try {
      float[] one = stepLargeParameter(1);
      float[] two = stepLargeParameter(2);
      assertArrayEquals(one, two);
    } finally {
      KernelThreads.setThreads(saved);
    }
  }

  private static float[] stepLargeParameter(int threads) {
    KernelThreads.setThreads(threads);
    int n = 50_001;
    SplittableRandom random = new SplittableRandom(7);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    Parameter weight =
        new Parameter(new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(n)), values);
    Sgd sgd =
        new Sgd(
            List.of(weight), new SolverConfig(new LearningRateSchedule.Fixed(0.1), 0.9, 0.01, 2.0));
    for (int step = 0; step < 3; step++) {
      for (int i = 0; i < n; i++) {
        weight.gradient()[i] = (float) random.nextGaussian();
      }
      sgd.step(step);
    }
    return weight.values();
  }

  @Test
  void constraintsSeeTheGradientBeforeAndTheValuesAfterTheUpdate() {
    Parameter weight =
        new Parameter(
            new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(3)),
            new float[] {1f, 0f, 2f});
    // Position 1 is frozen at zero: its gradient is dropped and its value and momentum reset.
    ParameterConstraint freezeMiddle =
        new ParameterConstraint() {
          @Override
          public void constrainGradient(float[] gradient) {
            gradient[1] = 0f;
          }

          @Override
          public void constrainValues(float[] values) {
            values[1] = 0f;
          }

          @Override
          public void constrainMomentum(float[] momentum) {
            momentum[1] = 0f;
          }
        };
    SolverConfig config = new SolverConfig(new LearningRateSchedule.Fixed(0.5), 0.9, 0.0, 1.0);
    Sgd sgd = new Sgd(List.of(weight), config, Map.of("w", freezeMiddle));
    for (int step = 0; step < 5; step++) {
      weight.gradient()[0] = 1f;
      weight.gradient()[1] = 7f;
      weight.gradient()[2] = -1f;
      sgd.step(step);
    }
    assertEquals(0f, weight.values()[1]);
    // Unconstrained entries move as plain momentum SGD: v_t = 0.9·v_{t-1} + 0.5·g.
    double travelled = 0;
    double v = 0;
    for (int step = 0; step < 5; step++) {
      v = 0.9 * v + 0.5;
      travelled += v;
    }
    assertEquals(1 - travelled, weight.values()[0], 1e-5);
    assertEquals(2 + travelled, weight.values()[2], 1e-5);
  }

  @Test
  void aConstraintForAnUnknownParameterIsRejected() {
    Parameter weight =
        new Parameter(new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(1)), new float[1]);
    ParameterConstraint none =
        new ParameterConstraint() {
          @Override
          public void constrainGradient(float[] gradient) {}

          @Override
          public void constrainValues(float[] values) {}
        };
    assertThrows(
        IllegalArgumentException.class,
        () -> new Sgd(List.of(weight), SolverConfig.caffeLenet(), Map.of("x", none)));
  }

  @Test
  void schedulesMatchCaffesFormulas() {
    LearningRateSchedule inv = new LearningRateSchedule.Inv(0.01, 1e-4, 0.75);
    assertEquals(0.01, inv.rate(0), 0);
    assertEquals(0.01 * Math.pow(2, -0.75), inv.rate(10_000), 1e-15);
    assertEquals(0.001 * Math.pow(2, -0.75), inv.scaled(0.1).rate(10_000), 1e-15);

    LearningRateSchedule step = new LearningRateSchedule.Step(0.1, 0.5, 100);
    assertEquals(0.1, step.rate(99), 0);
    assertEquals(0.05, step.rate(100), 0);
    assertEquals(0.025, step.rate(250), 1e-17);
  }
}
