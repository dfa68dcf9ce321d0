package dev.deepcompress.quantization;

import static dev.deepcompress.quantization.QuantizerSpec.CentroidStep.SUM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.compression.Codebook;
import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.training.LearningRateSchedule;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.Parameter;
import dev.deepcompress.training.ParameterConstraint;
import dev.deepcompress.training.Sgd;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightSharingTest {

  /** Laplace-like weights with about {@code zeroShare} of them pruned to exactly zero. */
  private static float[] prunedWeights(int n, double zeroShare, long seed) {
    float[] w = Samples.LAPLACE.sample(n, seed);
    SplittableRandom random = new SplittableRandom(seed + 1);
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < zeroShare) {
        w[i] = random.nextBoolean() ? 0f : -0f;
      }
    }
    return w;
  }

  /** {@code w} as pruning leaves it: its mask keeps exactly the non-zero entries. */
  private static CompressedTensor pruned(float[] w) {
    return CompressedTensor.pruned(
        new ParameterSpec("fc.weight", ParameterSpec.Role.WEIGHT, Shape.of(w.length)),
        Mask.all(w.length).narrowedTo(w, 0));
  }

  /** Each weight's cluster, or -1 where the mask prunes it. */
  private static int[] clusters(WeightSharing sharing, Mask mask) {
    int[] clusters = new int[mask.size()];
    Arrays.fill(clusters, -1);
    int[] positions = mask.keptPositions();
    int[] indices = sharing.codebook().indices();
    for (int j = 0; j < positions.length; j++) {
      clusters[positions[j]] = indices[j];
    }
    return clusters;
  }

  @Test
  void clustersOnlyTheKeptWeights() {
    float[] w = prunedWeights(3000, 0.7, 1);
    CompressedTensor pruned = pruned(w);
    WeightSharing sharing = WeightSharing.cluster(pruned, w, 2, KMeans1D.Init.LINEAR, SUM, 0);
    assertEquals(4, sharing.centroids().length);
    assertEquals(pruned.mask().keptCount(), sharing.codebook().count());
    float[] quantized = w.clone();
    sharing.quantize(quantized);
    CompressedTensor tensor = sharing.tensor();
    assertSame(pruned.mask(), tensor.mask(), "the mask passes through unchanged");
    assertArrayEquals(quantized, tensor.dequantized());
    int[] a = clusters(sharing, pruned.mask());
    Set<Float> distinct = new HashSet<>();
    for (int i = 0; i < w.length; i++) {
      if (a[i] < 0) {
        assertEquals(0, Float.floatToRawIntBits(quantized[i]), "pruned stays +0.0 at " + i);
      } else {
        distinct.add(quantized[i]);
        assertEquals(sharing.centroids()[a[i]], quantized[i]);
      }
    }
    assertEquals(4, distinct.size());
    assertTrue(!distinct.contains(0f));
  }

  @Test
  void theMaskDecidesWhatIsKeptNotTheValues() {
    float[] w = {0.5f, -0.4f, 0.3f, 0.2f, -0.1f, 0.6f};
    // Weights 0 and 5 are kept; weight 1 is pruned. Then retraining moves kept weight 0 to
    // exactly 0.0 and leaves junk where the pruned weight was.
    Mask mask = Mask.all(6).narrowedTo(new float[] {1, 0, 1, 1, 1, 1}, 0.5);
    CompressedTensor pruned =
        CompressedTensor.pruned(
            new ParameterSpec("fc.weight", ParameterSpec.Role.WEIGHT, Shape.of(6)), mask);
    w[0] = 0f;
    WeightSharing sharing = WeightSharing.cluster(pruned, w, 3, KMeans1D.Init.LINEAR, SUM, 0);
    Codebook codebook = sharing.codebook();
    assertEquals(5, codebook.count(), "every kept weight, the zero one too");
    assertEquals(
        0f,
        codebook.centroids()[codebook.indices()[0]],
        "5 distinct kept values, 8 clusters: each its own");
    float[] quantized = w.clone();
    sharing.quantize(quantized);
    assertArrayEquals(new float[] {0f, 0f, 0.3f, 0.2f, -0.1f, 0.6f}, quantized);
  }

  @Test
  void theClusteringIsTheOneOfTheKeptValuesAlone() {
    float[] w = prunedWeights(2000, 0.5, 2);
    float[] kept = new float[2000];
    int n = 0;
    for (float v : w) {
      if (v != 0f) {
        kept[n++] = v;
      }
    }
    KMeans1D.Result direct =
        KMeans1D.fit(
            Arrays.copyOf(kept, n), 8, KMeans1D.Init.DENSITY, 3, KMeans1D.DEFAULT_MAX_ITERATIONS);
    WeightSharing sharing = WeightSharing.cluster(pruned(w), w, 3, KMeans1D.Init.DENSITY, SUM, 3);
    assertArrayEquals(direct.centroids(), sharing.centroids());
    assertArrayEquals(direct.assignments(), sharing.codebook().indices());
  }

  @Test
  void gradientOfEachWeightIsTheSumOverItsClusterOrWithTheMeanStepItsMean() {
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 20; trial++) {
      float[] w = prunedWeights(400 + random.nextInt(400), 0.6, trial);
      CompressedTensor pruned = pruned(w);
      int bits = 1 + random.nextInt(4);
      float[] g = new float[w.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) random.nextGaussian();
      }
      for (QuantizerSpec.CentroidStep step : QuantizerSpec.CentroidStep.values()) {
        WeightSharing sharing =
            WeightSharing.cluster(pruned, w, bits, KMeans1D.Init.LINEAR, step, trial);
        int[] a = clusters(sharing, pruned.mask());
        float[] constrained = g.clone();
        sharing.constrainGradient(constrained);
        for (int i = 0; i < w.length; i++) {
          if (a[i] < 0) {
            assertEquals(0f, constrained[i], "pruned gradient " + i);
            continue;
          }
          // Naively: every weight that shares this one's centroid value.
          double sum = 0;
          int members = 0;
          float shared = sharing.centroids()[a[i]];
          for (int j = 0; j < w.length; j++) {
            if (a[j] >= 0 && sharing.centroids()[a[j]] == shared) {
              sum += g[j];
              members++;
            }
          }
          double expected = step == SUM ? sum : sum / members;
          assertEquals(
              expected,
              constrained[i],
              1e-5 * (1 + Math.abs(expected)),
              step + " trial " + trial + " " + i);
        }
      }
    }
  }

  @Test
  void valuesAndMomentumAreReTiedToTheirClusterMeans() {
    float[] w = prunedWeights(1000, 0.5, 5);
    CompressedTensor pruned = pruned(w);
    WeightSharing sharing = WeightSharing.cluster(pruned, w, 3, KMeans1D.Init.LINEAR, SUM, 0);
    int[] a = clusters(sharing, pruned.mask());
    float[] values = w.clone();
    sharing.quantize(values);
    float[] momentum = new float[w.length];
    SplittableRandom random = new SplittableRandom(6);
    double[] valueSums = new double[8];
    double[] momentumSums = new double[8];
    int[] counts = new int[8];
    for (int i = 0; i < w.length; i++) {
      // Drift that a rounding-free optimizer would never produce, and junk on pruned entries.
      values[i] += (float) (1e-3 * random.nextGaussian());
      momentum[i] = (float) random.nextGaussian();
      if (a[i] >= 0) {
        valueSums[a[i]] += values[i];
        momentumSums[a[i]] += momentum[i];
        counts[a[i]]++;
      }
    }
    sharing.constrainValues(values);
    sharing.constrainMomentum(momentum);
    float[] centroids = sharing.centroids();
    for (int k = 0; k < 8; k++) {
      assertEquals(valueSums[k] / counts[k], centroids[k], 1e-6, "centroid " + k);
    }
    for (int i = 0; i < w.length; i++) {
      if (a[i] < 0) {
        assertEquals(0, Float.floatToRawIntBits(values[i]), "value " + i);
        assertEquals(0, Float.floatToRawIntBits(momentum[i]), "momentum " + i);
      } else {
        assertEquals(centroids[a[i]], values[i]);
        assertEquals(momentumSums[a[i]] / counts[a[i]], momentum[i], 1e-6, "momentum " + i);
      }
    }
    assertArrayEquals(centroids, sharing.codebook().centroids(), "the codebook is the current one");
  }

  /**
   * Values and momentum already alike within each cluster (as after an optimizer step) are
   * recognised without summing: the centroids and the tensors come out exactly as the members'
   * means would give them, a −0.0 shared by a cluster becoming +0.0 as its mean does.
   */
  @Test
  void membersAlreadyAlikeGiveExactlyTheirMeans() {
    float[] w = prunedWeights(1000, 0.5, 7);
    CompressedTensor pruned = pruned(w);
    WeightSharing sharing = WeightSharing.cluster(pruned, w, 3, KMeans1D.Init.LINEAR, SUM, 0);
    int[] a = clusters(sharing, pruned.mask());
    float[] perCluster = {0.1f, -0f, 3e-39f, -1e-7f, 0.3f, Float.MIN_VALUE, 1f / 3, -0.7f};
    float[] values = new float[w.length];
    double[] sums = new double[8];
    int[] counts = new int[8];
    for (int i = 0; i < w.length; i++) {
      if (a[i] >= 0) {
        values[i] = perCluster[a[i]];
        sums[a[i]] += values[i];
        counts[a[i]]++;
      }
    }
    float[] momentum = values.clone();
    sharing.constrainValues(values);
    sharing.constrainMomentum(momentum);
    float[] centroids = sharing.centroids();
    for (int k = 0; k < 8; k++) {
      float mean = (float) (sums[k] / counts[k]);
      assertEquals(Float.floatToRawIntBits(mean), Float.floatToRawIntBits(centroids[k]), "" + k);
      assertEquals(Float.floatToRawIntBits(perCluster[k] + 0f), Float.floatToRawIntBits(mean));
    }
    for (int i = 0; i < w.length; i++) {
      int expected = a[i] < 0 ? 0 : Float.floatToRawIntBits(centroids[a[i]]);
      assertEquals(expected, Float.floatToRawIntBits(values[i]), "value " + i);
      assertEquals(expected, Float.floatToRawIntBits(momentum[i]), "momentum " + i);
    }
  }

  /**
   * The optimizer's step on one value and one momentum per cluster ({@link SharedValues}) leaves
   * exactly the bits that its step on every member does followed by the member-wise hooks
   * (re-averaging values and momentum): over several steps with momentum and weight decay, pruned
   * weights, both centroid steps, and as few distinct values as clusters.
   */
  @Test
  void stepsOnClustersGiveTheBitsOfStepsOnMembers() {
    SplittableRandom random = new SplittableRandom(8);
    for (int trial = 0; trial < 6; trial++) {
      Network one = Network.initialize(TestData.MLP, trial);
      Network other = Network.initialize(TestData.MLP, trial);
      Parameter a = one.parameter("ip1.weight");
      Parameter b = other.parameter("ip1.weight");
      float[] w = a.values().clone();
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextDouble() < 0.4 ? 0f : w[i];
      }
      if (trial % 3 == 2) {
        // Three distinct kept values: three clusters.
        for (int i = 0; i < w.length; i++) {
          w[i] = w[i] == 0f ? 0f : new float[] {-0.25f, 0.125f, 0.5f}[i % 3];
        }
      }
      CompressedTensor pruned = pruned(w);
      for (QuantizerSpec.CentroidStep step : QuantizerSpec.CentroidStep.values()) {
        WeightSharing shared = WeightSharing.cluster(pruned, w, 3, KMeans1D.Init.LINEAR, step, 0);
        WeightSharing memberWise =
            WeightSharing.cluster(pruned, w, 3, KMeans1D.Init.LINEAR, step, 0);
        ParameterConstraint hidden =
            new ParameterConstraint() {
              @Override
              public void constrainGradient(float[] gradient) {
                memberWise.constrainGradient(gradient);
              }

              @Override
              public void constrainValues(float[] values) {
                memberWise.constrainValues(values);
              }

              @Override
              public void constrainMomentum(float[] momentum) {
                memberWise.constrainMomentum(momentum);
              }
            };
        float[] before = shared.centroids();
        shared.quantize(a.values());
        memberWise.quantize(b.values());
        SolverConfig solver =
            new SolverConfig(new LearningRateSchedule.Fixed(0.05), 0.9, 5e-4, 2.0);
        Sgd sharedSgd = new Sgd(List.of(a), solver, Map.of("ip1.weight", shared));
        Sgd memberSgd = new Sgd(List.of(b), solver, Map.of("ip1.weight", hidden));
        for (int t = 0; t < 5; t++) {
          for (int i = 0; i < w.length; i++) {
            a.gradient()[i] = (float) (0.1 * random.nextGaussian());
          }
          System.arraycopy(a.gradient(), 0, b.gradient(), 0, w.length);
          sharedSgd.step(t);
          memberSgd.step(t);
          String where = "trial " + trial + " " + step + " step " + t;
          assertArrayEquals(bits(b.values()), bits(a.values()), where);
          assertArrayEquals(bits(memberWise.centroids()), bits(shared.centroids()), where);
        }
        float[] after = shared.centroids();
        int moved = 0;
        for (int k = 0; k < after.length; k++) {
          moved += before[k] != after[k] ? 1 : 0;
        }
        assertTrue(moved > 0, "training moved the centroids");
      }
    }
  }

  /** A cluster's value or momentum of −0.0 becomes +0.0, as the mean of its members would. */
  @Test
  void negativeZeroOnAClusterBecomesPositiveZero() {
    float[] w = prunedWeights(500, 0.5, 9);
    WeightSharing sharing = WeightSharing.cluster(pruned(w), w, 2, KMeans1D.Init.LINEAR, SUM, 0);
    float[] groups = sharing.groupValues();
    groups[1] = -0f;
    float[] momentum = new float[groups.length];
    momentum[2] = -0f;
    momentum[3] = -1.5f;
    float[] values = new float[w.length];
    sharing.groupsUpdated(momentum, values);
    assertEquals(0, Float.floatToRawIntBits(groups[1]));
    assertEquals(0, Float.floatToRawIntBits(sharing.centroids()[1]));
    assertEquals(0, Float.floatToRawIntBits(momentum[2]));
    assertEquals(-1.5f, momentum[3]);
    float[] expected = new float[w.length];
    sharing.quantize(expected);
    assertArrayEquals(bits(expected), bits(values));
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  @Test
  void aTensorWithNothingKeptHasAnEmptyCodebook() {
    float[] w = new float[10];
    WeightSharing sharing = WeightSharing.cluster(pruned(w), w, 4, KMeans1D.Init.LINEAR, SUM, 0);
    assertEquals(0, sharing.centroids().length);
    float[] g = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    sharing.constrainGradient(g);
    sharing.constrainValues(g);
    assertArrayEquals(new float[10], g);
    assertArrayEquals(new float[10], sharing.tensor().dequantized());
  }

  @Test
  void misuseIsRejected() {
    float[] w = prunedWeights(100, 0.5, 7);
    CompressedTensor pruned = pruned(w);
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightSharing.cluster(pruned, w, 0, KMeans1D.Init.LINEAR, SUM, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            WeightSharing.cluster(pruned, w, Quantized.MAX_BITS + 1, KMeans1D.Init.LINEAR, SUM, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeightSharing.cluster(pruned, new float[99], 2, KMeans1D.Init.LINEAR, SUM, 0));
    WeightSharing sharing = WeightSharing.cluster(pruned, w, 2, KMeans1D.Init.LINEAR, SUM, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> sharing.constrainGradient(new float[99]));
    assertTrue(e.getMessage().contains("100") && e.getMessage().contains("99"), e.getMessage());
  }
}
