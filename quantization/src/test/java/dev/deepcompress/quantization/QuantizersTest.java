package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Levels;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each quantizer's levels and assignments on hand-computed cases, and its trained mode's steps. */
class QuantizersTest {

  private static CompressedTensor whole(int rows, int columns) {
    return CompressedTensor.pruned(
        new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(rows, columns)),
        Mask.all(rows * columns));
  }

  private static Parametric parametric(CompressedTensor tensor) {
    return assertInstanceOf(Parametric.class, tensor.quantization().orElseThrow());
  }

  @Test
  void uniformAsymmetricPerTensorMinMax() {
    // lo = -0.9, hi = 1.2: S = 2.1 / 3 = 0.7, Z = rint(0.9 / 0.7) = 1; levels -0.7, 0, 0.7, 1.4.
    float[] w = {-0.9f, -0.3f, 0.1f, 0.6f, 1.2f};
    CompressedTensor q =
        QuantizerSpec.parse("uniform:2,post").quantizer(0).quantize(whole(1, 5), w);
    Parametric p = parametric(q);
    Levels.Affine levels = (Levels.Affine) p.levels();
    assertEquals(0.7f, levels.scales()[0], 1e-6f);
    assertArrayEquals(new int[] {1}, levels.zeroPoints());
    assertArrayEquals(new int[] {0, 1, 1, 2, 3}, p.indices());
    float s = levels.scales()[0];
    assertArrayEquals(new float[] {-s, 0, 0, s, 2 * s}, q.dequantized());
  }

  @Test
  void uniformSymmetricPerChannel() {
    // 3 bits, Z = 4; row 0: alpha 1, S = 1/3; row 1: alpha 0.2, S = 0.2/3.
    float[] w = {0.4f, -1.0f, 0.2f, 0.12f, 0.2f, -0.03f};
    CompressedTensor q =
        QuantizerSpec.parse("uniform:3,sym,per-channel,post").quantizer(0).quantize(whole(2, 3), w);
    Parametric p = parametric(q);
    Levels.Affine levels = (Levels.Affine) p.levels();
    assertEquals(Levels.ZeroPoints.SHARED, levels.zeroPointMode());
    assertArrayEquals(new int[] {4}, levels.zeroPoints());
    assertArrayEquals(new float[] {1f / 3, 0.2f / 3}, levels.scales(), 1e-7f);
    assertArrayEquals(new int[] {5, 1, 5, 6, 7, 4}, p.indices());
  }

  @Test
  void uniformGroupsCutEachRow() {
    // Rows of 5 in groups of 2: groups {0,1},{2,3},{4} per row, 6 groups.
    float[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    Parametric p =
        parametric(
            QuantizerSpec.parse("uniform:8,sym,group=2,post")
                .quantizer(0)
                .quantize(whole(2, 5), w));
    Levels.Affine levels = (Levels.Affine) p.levels();
    assertEquals(6, levels.scales().length);
    assertArrayEquals(
        new float[] {2f / 127, 4f / 127, 5f / 127, 7f / 127, 9f / 127, 10f / 127},
        levels.scales(),
        1e-7f);
  }

  @Test
  void percentileClipsTheOutlierAndMseNeverDoesWorseThanMinMax() {
    SplittableRandom random = new SplittableRandom(3);
    float[] w = new float[1000];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextGaussian() * 0.1);
    }
    w[17] = 5f;
    CompressedTensor tensor = whole(1, w.length);
    double minMax = error(w, QuantizerSpec.parse("uniform:4,sym,post"), tensor, -1);
    double mse = error(w, QuantizerSpec.parse("uniform:4,sym,mse,post"), tensor, -1);
    assertTrue(mse <= minMax, mse + " > " + minMax);
    // Clipping gives up the outlier for the finer grid every other weight gets.
    double percentile =
        error(w, QuantizerSpec.parse("uniform:4,sym,percentile=99,post"), tensor, 17);
    assertTrue(
        percentile < error(w, QuantizerSpec.parse("uniform:4,sym,post"), tensor, 17),
        percentile + " ≥ min-max");
    // The 99th percentile of |w| is a Gaussian tail value, far below the outlier.
    Levels.Affine levels =
        (Levels.Affine)
            parametric(
                    QuantizerSpec.parse("uniform:4,sym,percentile=99,post")
                        .quantizer(0)
                        .quantize(tensor, w))
                .levels();
    assertTrue(levels.scales()[0] * 7 < 0.5f, "alpha " + levels.scales()[0] * 7);
  }

  /** Squared quantization error over every weight but {@code skip}. */
  private static double error(float[] w, QuantizerSpec spec, CompressedTensor tensor, int skip) {
    float[] q = spec.quantizer(0).quantize(tensor, w).dequantized();
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      if (i != skip) {
        sum += (w[i] - q[i]) * (double) (w[i] - q[i]);
      }
    }
    return sum;
  }

  @Test
  void selectionFindsTheSortedElement() {
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      float[] values = new float[1 + random.nextInt(50)];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextInt(7) - 3; // many ties
      }
      float[] sorted = values.clone();
      Arrays.sort(sorted);
      int k = random.nextInt(values.length);
      assertEquals(sorted[k], Select.kth(values.clone(), k), "trial " + trial);
    }
  }

  @Test
  void logPicksTheTopWithTheSmallestErrorAndTheNearestPowers() {
    // 3 bits: 0 and ±2^top, ±2^(top-1), ±2^(top-2). top = 0 gives squared error 0.0062; -1 gives
    // 0.2562, 1 gives 0.0437.
    float[] w = {0.3f, -0.06f, 0.01f, 1.0f};
    Parametric p =
        parametric(QuantizerSpec.parse("log:3,post").quantizer(0).quantize(whole(1, 4), w));
    assertEquals(new Levels.PowersOfTwo(3, 0, false), p.levels());
    // 0.3 → +0.25 (j = 2: index 5), -0.06 → 0, 0.01 → 0, 1.0 → +1 (j = 0: index 1).
    assertArrayEquals(new int[] {5, 0, 0, 1}, p.indices());
    Levels.PowersOfTwo sqrt2 = new Levels.PowersOfTwo(4, 1, true);
    assertEquals((float) Math.sqrt(2), sqrt2.value(1, 0));
    assertEquals(-1f, sqrt2.value(4, 0));
    assertEquals(0.5f, sqrt2.value(7, 0));
    assertEquals(Math.scalb((float) Math.sqrt(2), -2), sqrt2.value(9, 0));
    assertEquals(0.25f, sqrt2.value(11, 0));
  }

  @Test
  void logNearestIsTheLevelAtTheSmallestDistance() {
    SplittableRandom random = new SplittableRandom(5);
    // Tops at the ends of the range put magnitudes among subnormals (or below them, at 0).
    for (int[] bitsAndTop :
        new int[][] {
          {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 1}, {8, 1}, {8, -128}, {8, -100}, {4, -125},
          {8, 127}, {4, 127}
        }) {
      int bits = bitsAndTop[0];
      int top = bitsAndTop[1];
      for (boolean sqrt2 : new boolean[] {false, true}) {
        Levels.PowersOfTwo levels = new Levels.PowersOfTwo(bits, top, sqrt2);
        LogQuantizer.Nearest nearest = new LogQuantizer.Nearest(levels);
        String name = "bits " + bits + ", top " + top + (sqrt2 ? " sqrt2" : "");
        assertEquals(0, nearest.index(Float.NaN), name);
        assertEquals(1, nearest.index(Float.POSITIVE_INFINITY), name);
        assertEquals(2, nearest.index(Float.NEGATIVE_INFINITY), name);
        // Far above the largest magnitude, yet close enough for the distances below to differ.
        int largest = Math.getExponent(levels.magnitude(0));
        float far = Math.scalb(1000f, Math.min(largest, 100));
        List<Float> values =
            new ArrayList<>(List.of(0f, -0f, far, -far, Float.MIN_VALUE, Float.MIN_NORMAL));
        for (int j = 0; j < levels.magnitudes(); j++) {
          float m = levels.magnitude(j);
          values.addAll(List.of(m, -m, Math.nextUp(m), Math.nextDown(m)));
          // The midpoint with the next smaller magnitude is a tie, which goes to the smaller.
          float smaller = j + 1 < levels.magnitudes() ? levels.magnitude(j + 1) : 0f;
          float midpoint = (m + smaller) / 2;
          if ((double) midpoint == ((double) m + smaller) / 2) {
            values.addAll(List.of(midpoint, -midpoint));
          }
        }
        for (int i = 0; i < 2000; i++) {
          int scale = largest + random.nextInt(-12 - bits, 3);
          float v = (float) (random.nextGaussian() * Math.scalb(1.0, scale));
          if (Float.isFinite(v)) { // infinities are checked above: no distance tells them apart
            values.add(v);
          }
        }
        for (float v : values) {
          int expected = 0;
          double best = Math.abs(v);
          for (int index = 1; index <= 2 * levels.magnitudes(); index++) {
            float level = levels.value(index, 0);
            double distance = Math.abs((double) v - level);
            boolean tieToSmaller =
                distance == best && Math.abs(level) < Math.abs(levels.value(expected, 0));
            if (distance < best || tieToSmaller) {
              best = distance;
              expected = index;
            }
          }
          assertEquals(expected, nearest.index(v), name + ", v " + v);
        }
      }
    }
  }

  @Test
  void ternaryScalesAreTheMeansOfTheirWeights() {
    // max |w| = 1, Δ = 0.05: +{1, 0.6, 0.4} → Wp = 2/3; -{0.8} → Wn = 0.8; 0.02, -0.03 → 0.
    float[] w = {1.0f, 0.6f, -0.8f, 0.02f, -0.03f, 0.4f};
    CompressedTensor q = QuantizerSpec.parse("ternary,post").quantizer(0).quantize(whole(1, 6), w);
    Codebook codebook = assertInstanceOf(Codebook.class, q.quantization().orElseThrow());
    assertArrayEquals(new float[] {-0.8f, 0f, (float) (2.0 / 3)}, codebook.centroids(), 1e-7f);
    assertArrayEquals(new int[] {2, 2, 0, 1, 1, 2}, codebook.indices());
  }

  @Test
  void binaryIsTheSignTimesTheChannelsMeanMagnitude() {
    float[] w = {0.5f, -0.3f, -0.1f, 0.0f};
    CompressedTensor q = QuantizerSpec.parse("binary,post").quantizer(0).quantize(whole(2, 2), w);
    assertArrayEquals(new int[] {1, 0, 0, 1}, parametric(q).indices());
    assertArrayEquals(new float[] {0.4f, -0.4f, -0.05f, 0.05f}, q.dequantized(), 1e-7f);
  }

  /**
   * One plain SGD step (no momentum, no decay) through the constraint, as the trainer does it:
   * rate, gradient, update, values.
   */
  private static void step(
      QuantizedTraining training, float[] values, float[] gradient, double rate) {
    training.beforeUpdate(rate);
    training.constrainGradient(gradient);
    for (int i = 0; i < values.length; i++) {
      values[i] -= (float) (rate * gradient[i]);
    }
    training.constrainValues(values);
  }

  @Test
  void ternaryTrainingMovesScalesByTheMeanGradientAndShadowsByTheScaledOne() {
    float[] w = {1.0f, 0.6f, -0.8f, 0.02f, -0.03f, 0.4f};
    QuantizedTraining training =
        QuantizerSpec.parse("ternary").quantizer(0).training(whole(1, 6), w);
    float[] values = new float[6];
    training.quantize(values);
    float[] gradient = {0.3f, 0.1f, -0.2f, 0.5f, 0f, -0.1f};
    step(training, values, gradient, 0.1);
    Codebook after = (Codebook) training.tensor().quantization().orElseThrow();
    // Wp: 2/3 - 0.1 * (0.3 + 0.1 - 0.1) / 3; Wn: 0.8 + 0.1 * (-0.2) / 1 (the level is -Wn).
    assertEquals((float) (2.0 / 3 - 0.1 * 0.3 / 3), after.centroids()[2], 1e-6f);
    assertEquals(-(0.8f - 0.02f), after.centroids()[0], 1e-6f);
    // The weight at 0.02 took its plain gradient: 0.02 - 0.1 * 0.5 = -0.03, still within Δ.
    assertEquals(1, after.indices()[3]);
    assertArrayEquals(after.dequantize(Mask.all(6)), values);
  }

  @Test
  void uniformTrainingPassesTheGradientStraightThroughInsideTheRangeOnly() {
    // The grid S = 0.7, Z = 1 reaches [-0.7, 1.4]: -0.9 lies below it (Z was rounded).
    float[] w = {-0.9f, -0.3f, 0.1f, 0.6f, 1.2f};
    QuantizedTraining training =
        QuantizerSpec.parse("uniform:2").quantizer(0).training(whole(1, 5), w);
    float[] gradient = {1, 1, 1, 1, 1};
    training.constrainGradient(gradient);
    assertArrayEquals(new float[] {0, 1, 1, 1, 1}, gradient);
    float[] values = new float[5];
    training.quantize(values);
    // Push the last weight above the top (1.4): its gradient stops too, its value stays at the top.
    step(training, values, new float[] {0, 0, 0, 0, -3}, 0.1);
    float[] g = {1, 1, 1, 1, 1};
    training.constrainGradient(g);
    assertArrayEquals(new float[] {0, 1, 1, 1, 0}, g);
    assertEquals(1.4f, values[4], 1e-6f);
  }

  /** 40 × 1,000 weights, about 30% pruned: 28,000 kept, two blocks of the kernel threads. */
  private static CompressedTensor prunedAcrossBlocks(float[] w) {
    Mask mask = Mask.all(w.length);
    SplittableRandom random = new SplittableRandom(8);
    float[] marks = new float[w.length];
    for (int i = 0; i < marks.length; i++) {
      marks[i] = random.nextDouble() < 0.3 ? 0f : 1f;
    }
    return CompressedTensor.pruned(
        new ParameterSpec("w", ParameterSpec.Role.WEIGHT, Shape.of(40, 1_000)),
        mask.narrowedTo(marks, 0));
  }

  private static float[] gaussian(int n, double scale, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (scale * random.nextGaussian());
    }
    return values;
  }

  /**
   * Groups of 300 (rows cut 300, 300, 300, 100) that straddle the blocks' boundaries: each kept
   * weight's index is the one its own group's grid gives it, and its gradient stops exactly where
   * its weight lies outside that grid, at any thread count.
   */
  @Test
  void uniformTrainingAcrossBlocksUsesEachWeightsOwnGroup() {
    float[] w = gaussian(40_000, 0.1, 9);
    CompressedTensor pruned = prunedAcrossBlocks(w);
    int[] positions = pruned.mask().keptPositions();
    assertTrue(positions.length > TrainingKernels.BLOCK);
    int saved = KernelThreads.threads();
    try {
      for (int threads : new int[] {1, 3}) {
        KernelThreads.setThreads(threads);
        QuantizedTraining training =
            QuantizerSpec.parse("uniform:3,asym,group=300,mse").quantizer(0).training(pruned, w);
        Parametric p = parametric(training.tensor());
        Levels.Affine levels = (Levels.Affine) p.levels();
        float[] gradient = new float[w.length];
        Arrays.fill(gradient, 1f);
        training.constrainGradient(gradient);
        float[] scales = levels.scales();
        int[] zeroPoints = levels.zeroPoints();
        int outside = 0;
        for (int j = 0; j < positions.length; j++) {
          int g = levels.group(positions[j]);
          float scale = scales[g];
          int zero = zeroPoints[g];
          float x = w[positions[j]];
          assertEquals(UniformQuantizer.index(x, scale, zero, 7), p.indices()[j], "weight " + j);
          boolean inside = x >= scale * (float) -zero && x <= scale * (float) (7 - zero);
          assertEquals(inside ? 1f : 0f, gradient[positions[j]], "gradient " + j);
          outside += inside ? 0 : 1;
        }
        assertTrue(outside > 100, "MSE clipping leaves weights outside: " + outside);
      }
    } finally {
      KernelThreads.setThreads(saved);
    }
  }

  /** Each trained quantizer's steps give the same bits on one thread as on three. */
  @Test
  void trainingGivesTheSameBitsAtAnyThreadCount() {
    float[] w = gaussian(40_000, 0.1, 10);
    CompressedTensor pruned = prunedAcrossBlocks(w);
    int saved = KernelThreads.threads();
    try {
      for (String spec :
          List.of(
              "uniform:4,sym,per-channel,mse",
              "uniform:8,asym,per-tensor,minmax",
              "log:4",
              "ternary",
              "binary",
              "kmeans:3")) {
        List<int[]> runs = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
          KernelThreads.setThreads(threads);
          QuantizedTraining training = QuantizerSpec.parse(spec).quantizer(0).training(pruned, w);
          float[] values = new float[w.length];
          training.quantize(values);
          float[] gradient = new float[w.length];
          for (int step = 0; step < 3; step++) {
            float[] fresh = gaussian(w.length, 1, 20 + step);
            System.arraycopy(fresh, 0, gradient, 0, fresh.length);
            step(training, values, gradient, 0.01);
          }
          int[] bits = new int[2 * w.length];
          for (int i = 0; i < w.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
            bits[w.length + i] = Float.floatToRawIntBits(gradient[i]);
          }
          runs.add(bits);
        }
        assertArrayEquals(runs.get(0), runs.get(1), spec);
      }
    } finally {
      KernelThreads.setThreads(saved);
    }
  }

  @Test
  void shadowWeightsAccumulateStepsTooSmallToChangeALevel() {
    float[] w = {-0.9f, -0.3f, 0.1f, 0.6f, 1.2f};
    QuantizedTraining training =
        QuantizerSpec.parse("uniform:2").quantizer(0).training(whole(1, 5), w);
    float[] values = new float[5];
    training.quantize(values);
    // 0.1 sits at level 0; each step moves its shadow by +0.1 and the level changes at 0.35.
    float[] before = values.clone();
    step(training, values, new float[] {0, 0, -1, 0, 0}, 0.1);
    assertArrayEquals(before, values, "0.2 still rounds to 0");
    step(training, values, new float[] {0, 0, -1, 0, 0}, 0.1);
    assertArrayEquals(before, values, "0.3 still rounds to 0");
    step(training, values, new float[] {0, 0, -1, 0, 0}, 0.1);
    assertEquals(0.7f, values[2], 1e-6f);
  }
}
