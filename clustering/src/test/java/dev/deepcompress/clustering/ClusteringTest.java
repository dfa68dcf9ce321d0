package dev.deepcompress.clustering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusteringTest {
  private static final Map<String, Integer> BITS = Map.of("ip1", 3, "ip2", 2);

  @Test
  void trainedQuantizationKeepsTheCodebookAndTheZerosAndMovesTheCentroids() {
    Batches batches = new Batches(TestData.quadrants(2000, 7), 64, 1);
    SampleSet test = TestData.quadrants(500, 99);
    Network network = Network.initialize(TestData.MLP, 1);
    Trainer reference = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 5; epoch++) {
      reference.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    pruneSmallest(network.parameter("ip1.weight").values(), 0.6);
    pruneSmallest(network.parameter("ip2.weight").values(), 0.3);
    Map<String, boolean[]> zeros =
        Map.of(
            "ip1.weight", zeros(network, "ip1.weight"), "ip2.weight", zeros(network, "ip2.weight"));

    Map<String, WeightSharing> sharing = Clustering.apply(network, BITS, KMeans1D.Init.LINEAR, 42);
    assertEquals(Set.of("ip1.weight", "ip2.weight"), sharing.keySet());
    Map<String, float[]> initialCentroids =
        Map.of(
            "ip1.weight", sharing.get("ip1.weight").centroids(),
            "ip2.weight", sharing.get("ip2.weight").centroids());
    double quantizedError = Evaluation.evaluate(network::predict, test).errorPercent();

    SolverConfig retrain =
        SolverConfig.caffeLenet().withSchedule(SolverConfig.caffeLenet().schedule().scaled(0.1));
    Trainer trainer = new Trainer(network, retrain, Map.copyOf(sharing));
    for (int epoch = 5; epoch < 9; epoch++) {
      trainer.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    double retrainedError = Evaluation.evaluate(network::predict, test).errorPercent();

    for (String name : sharing.keySet()) {
      int bits = name.equals("ip1.weight") ? 3 : 2;
      float[] w = network.parameter(name).values();
      WeightSharing layer = sharing.get(name);
      assertArrayEquals(w, layer.codebook().decode(), name + " is what its codebook says");
      Set<Float> distinct = new HashSet<>();
      for (int i = 0; i < w.length; i++) {
        if (zeros.get(name)[i]) {
          assertEquals(0, Float.floatToRawIntBits(w[i]), name + "[" + i + "] must stay +0.0");
        } else {
          assertTrue(w[i] != 0f, name + "[" + i + "] was not pruned");
          distinct.add(w[i]);
        }
      }
      assertEquals(1 << bits, distinct.size(), name);
      float[] before = initialCentroids.get(name);
      float[] after = layer.centroids();
      double moved = 0;
      for (int k = 0; k < before.length; k++) {
        moved = Math.max(moved, Math.abs(after[k] - before[k]));
      }
      assertTrue(moved > 1e-3, name + ": retraining moved the centroids by at most " + moved);
    }
    assertTrue(retrainedError < 5, "after retraining: " + retrainedError + "%");
    assertTrue(
        retrainedError < quantizedError,
        "retraining recovers accuracy: " + quantizedError + "% → " + retrainedError + "%");
  }

  @Test
  void theSameSeedGivesTheSameCodebooks() {
    Network a = Network.initialize(TestData.MLP, 3);
    Network b = Network.initialize(TestData.MLP, 3);
    Map<String, WeightSharing> first = Clustering.apply(a, BITS, KMeans1D.Init.RANDOM, 5);
    Map<String, WeightSharing> second = Clustering.apply(b, BITS, KMeans1D.Init.RANDOM, 5);
    for (String name : first.keySet()) {
      assertEquals(first.get(name).codebook(), second.get(name).codebook(), name);
      assertArrayEquals(a.parameter(name).values(), b.parameter(name).values(), name);
    }
    assertFalse(
        Arrays.equals(
            first.get("ip1.weight").centroids(),
            Clustering.apply(Network.initialize(TestData.MLP, 3), BITS, KMeans1D.Init.RANDOM, 6)
                .get("ip1.weight")
                .centroids()));
  }

  @Test
  void onlyThePlannedLayersAreShared() {
    Network network = Network.initialize(TestData.MLP, 2);
    float[] ip2 = network.parameter("ip2.weight").values().clone();
    Map<String, WeightSharing> sharing =
        Clustering.apply(network, Map.of("ip1", 4), KMeans1D.Init.LINEAR, 0);
    assertEquals(Set.of("ip1.weight"), sharing.keySet());
    assertArrayEquals(ip2, network.parameter("ip2.weight").values());
  }

  @Test
  void unknownLayerIsRejectedWithTheKnownOnes() {
    Network network = Network.initialize(TestData.MLP, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Clustering.apply(network, Map.of("relu1", 4), KMeans1D.Init.LINEAR, 0));
    assertTrue(e.getMessage().contains("relu1") && e.getMessage().contains("ip2"), e.getMessage());
  }

  /** Magnitude pruning without the pruning module (clustering must not depend on it). */
  private static void pruneSmallest(float[] w, double share) {
    float[] magnitudes = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      magnitudes[i] = Math.abs(w[i]);
    }
    Arrays.sort(magnitudes);
    float threshold = magnitudes[(int) (share * w.length)];
    for (int i = 0; i < w.length; i++) {
      if (Math.abs(w[i]) < threshold) {
        w[i] = 0f;
      }
    }
  }

  private static boolean[] zeros(Network network, String name) {
    float[] w = network.parameter(name).values();
    boolean[] zero = new boolean[w.length];
    for (int i = 0; i < w.length; i++) {
      zero[i] = w[i] == 0f;
    }
    return zero;
  }
}
