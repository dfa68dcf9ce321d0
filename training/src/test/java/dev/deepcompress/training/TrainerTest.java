package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.runtime.kernels.KernelThreads;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * A constraint that learns: each update is pulled halfway back to the values after the update
   * before, which it keeps. Continuing without them would train differently.
   */
  private static final class Damped implements ParameterConstraint {
    private float[] previous;

    Damped(float[] start) {
      previous = start.clone();
    }

    @Override
    public void constrainGradient(float[] gradient) {}

    @Override
    public void constrainValues(float[] values) {
      for (int i = 0; i < values.length; i++) {
        values[i] = 0.5f * (values[i] + previous[i]);
      }
      previous = values.clone();
    }

    @Override
    public List<float[]> learned() {
      return List.of(previous.clone());
    }

    @Override
    public void restoreLearned(List<float[]> learned) {
      if (learned.size() != 1 || learned.getFirst().length != previous.length) {
        throw new IllegalArgumentException("one array of " + previous.length + " values");
      }
      previous = learned.getFirst().clone();
    }
  }

  private static Trainer dampedTrainer(Network network) {
    return new Trainer(
        network,
        SolverConfig.caffeLenet(),
        Map.of("ip1.weight", new Damped(network.parameter("ip1.weight").values())));
  }

  @Test
  void aTrainerRestoredFromAStateTrainsOnExactlyAsTheOriginal() {
    Batches batches = new Batches(TestData.quadrants(700, 5), 64, 3);
    Network original = Network.initialize(TestData.MLP, 8);
    Trainer trainer = dampedTrainer(original);
    trainer.trainEpoch(batches, 0, new Trainer.Listener() {});
    Trainer.State saved = trainer.state();
    trainer.trainEpoch(batches, 1, new Trainer.Listener() {});
    trainer.trainEpoch(batches, 2, new Trainer.Listener() {});

    // Another network, initialised differently: everything must come from the state.
    Network resumed = Network.initialize(TestData.MLP, 9);
    Trainer continued = dampedTrainer(resumed);
    continued.restore(saved);
    assertEquals(saved.iteration(), continued.iteration());
    continued.trainEpoch(batches, 1, new Trainer.Listener() {});
    continued.trainEpoch(batches, 2, new Trainer.Listener() {});

    assertEquals(trainer.iteration(), continued.iteration());
    for (int p = 0; p < original.parameters().size(); p++) {
      assertArrayEquals(
          original.parameters().get(p).values(), resumed.parameters().get(p).values(), "" + p);
    }
    // The state is a copy: training on did not change it.
    assertFalse(
        Arrays.equals(
            saved.parameters().get("ip1.weight"), original.parameter("ip1.weight").values()));

    // Without the momentum, training would go elsewhere: the state must hold it.
    Network partial = Network.initialize(TestData.MLP, 8);
    Trainer withoutMomentum = dampedTrainer(partial);
    Map<String, float[]> zeros = new LinkedHashMap<>();
    saved.momentum().forEach((name, v) -> zeros.put(name, new float[v.length]));
    withoutMomentum.restore(
        new Trainer.State(saved.iteration(), saved.parameters(), zeros, saved.constraints()));
    withoutMomentum.trainEpoch(batches, 1, new Trainer.Listener() {});
    withoutMomentum.trainEpoch(batches, 2, new Trainer.Listener() {});
    assertFalse(
        Arrays.equals(
            original.parameter("ip1.weight").values(), partial.parameter("ip1.weight").values()));
  }

  @Test
  void aStateThatDoesNotFitIsRefusedByName() {
    Network network = Network.initialize(TestData.MLP, 8);
    Trainer.State state = dampedTrainer(network).state();
    Trainer unconstrained =
        new Trainer(Network.initialize(TestData.MLP, 8), SolverConfig.caffeLenet());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> unconstrained.restore(state));
    assertTrue(e.getMessage().contains("ip1.weight"), e.getMessage());

    Trainer other = new Trainer(Network.initialize(TestData.CNN, 8), SolverConfig.caffeLenet());
    assertThrows(IllegalArgumentException.class, () -> other.restore(state));

    Map<String, float[]> shortMomentum = new LinkedHashMap<>(state.momentum());
    shortMomentum.put("ip2.bias", new float[3]);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                dampedTrainer(Network.initialize(TestData.MLP, 8))
                    .restore(
                        new Trainer.State(
                            1, state.parameters(), shortMomentum, state.constraints())));
    assertTrue(e.getMessage().contains("ip2.bias momentum"), e.getMessage());

    // A refusal changes nothing: not the constraints before the one that refused, nor the network.
    Network untouched = Network.initialize(TestData.MLP, 4);
    Trainer twoConstraints =
        new Trainer(
            untouched,
            SolverConfig.caffeLenet(),
            Map.of(
                "ip1.weight", new Damped(untouched.parameter("ip1.weight").values()),
                "ip2.weight", new Damped(untouched.parameter("ip2.weight").values())));
    Trainer.State before = twoConstraints.state();
    Map<String, List<float[]>> wrongLearned = new LinkedHashMap<>();
    wrongLearned.put("ip1.weight", List.of(new float[64 * 40]));
    wrongLearned.put("ip2.weight", List.of(new float[2]));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                twoConstraints.restore(
                    new Trainer.State(7, state.parameters(), state.momentum(), wrongLearned)));
    assertTrue(e.getMessage().startsWith("ip2.weight: "), e.getMessage());
    Trainer.State after = twoConstraints.state();
    assertEquals(0, after.iteration());
    for (String name : before.parameters().keySet()) {
      assertArrayEquals(before.parameters().get(name), after.parameters().get(name), name);
    }
    for (String name : before.constraints().keySet()) {
      assertArrayEquals(
          before.constraints().get(name).getFirst(),
          after.constraints().get(name).getFirst(),
          name);
    }
  }
}
