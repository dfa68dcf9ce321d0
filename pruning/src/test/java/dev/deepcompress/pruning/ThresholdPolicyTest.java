package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepcompress.compression.Mask;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ThresholdPolicyTest {

  @Test
  void qualityTimesStdUsesTheSurvivorsStandardDeviation() {
    float[] w = {-2f, 2f, -2f, 2f, 0.1f};
    Mask mask = Mask.all(5).narrowedTo(w, 0.5);
    // Survivors ±2: mean 0, σ 2.
    assertEquals(3.0, new ThresholdPolicy.QualityTimesStd(1.5).threshold(w, mask), 1e-12);
  }

  @Test
  void keptFractionKeepsExactlyThatManyDistinctMagnitudes() {
    SplittableRandom random = new SplittableRandom(3);
    float[] w = new float[1000];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    Mask dense = Mask.all(w.length);
    for (double fraction : new double[] {0.08, 0.26, 0.5, 1.0}) {
      double threshold = new ThresholdPolicy.KeptFraction(fraction).threshold(w, dense);
      assertEquals(
          Math.round(fraction * w.length),
          dense.narrowedTo(w, threshold).keptCount(),
          "" + fraction);
    }
  }

  @Test
  void keptFractionStepsAreGeometricAndEndAtTheTarget() {
    ThresholdPolicy target = new ThresholdPolicy.KeptFraction(0.01);
    assertEquals(0.1, ((ThresholdPolicy.KeptFraction) target.atStep(1, 2)).keptFraction(), 1e-12);
    assertEquals(target, target.atStep(2, 2));
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ThresholdPolicy.KeptFraction(0));
    assertThrows(IllegalArgumentException.class, () -> new ThresholdPolicy.KeptFraction(1.5));
    assertThrows(IllegalArgumentException.class, () -> new ThresholdPolicy.QualityTimesStd(-1));
  }
}
