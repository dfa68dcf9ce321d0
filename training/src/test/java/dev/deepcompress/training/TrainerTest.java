package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.runtime.kernels.KernelThreads;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static Network train(int threads, long seed) {
    KernelThreads.setThreads(threads);
    Network network = Network.initialize(TestData.MLP, seed);
    Trainer trainer = new Trainer(network, SolverConfig.caffeLenet());
    Batches batches = new Batches(TestData.quadrants(1000, 5), 64, seed);
    for (int epoch = 0; epoch < 3; epoch++) {
      trainer.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    return network;
  }

  @AfterEach
  void restoreThreads() {
    KernelThreads.setThreads(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void learnsASimpleTask() {
    Trainer trainer = TestData.assertLearnsQuadrants(TestData.MLP, 15);
    assertTrue(
        trainer.iteration()
            == 15L * new Batches(TestData.quadrants(2000, 7), 64, 1).batchesPerEpoch());
  }

  @Test
  void sameSeedGivesBitIdenticalWeightsWhateverTheThreadCount() {
    Network a = train(1, 42);
    Network b = train(1, 42);
    Network c = train(2, 42);
    Network d = train(1, 43);
    for (int p = 0; p < a.parameters().size(); p++) {
      float[] wa = a.parameters().get(p).values();
      assertArrayEquals(wa, b.parameters().get(p).values(), "rerun, " + p);
      assertArrayEquals(wa, c.parameters().get(p).values(), "2 threads, " + p);
    }
    assertFalse(
        Arrays.equals(a.parameters().get(0).values(), d.parameters().get(0).values()),
        "another seed must give other weights");
  }
}
