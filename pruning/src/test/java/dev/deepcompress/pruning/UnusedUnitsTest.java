package dev.deepcompress.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.compression.Mask;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.training.Network;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class UnusedUnitsTest {
  /** conv 2→3 channels (3×3 on 6×6, so 4×4 out), pool 2 → 3×2×2, fc 12→4, relu, fc 4→2. */
  private static final Architecture NET =
      new Architecture(
          "net",
          Shape.of(2, 6, 6),
          List.of(
              new LayerSpec.Convolution("conv", 2, 3, 3, 1, 0),
              new LayerSpec.MaxPool("pool", 2, 2),
              new LayerSpec.FullyConnected("fc1", 12, 4),
              new LayerSpec.Relu("relu"),
              new LayerSpec.FullyConnected("fc2", 4, 2)));

  /** Keeps position p of a tensor of {@code size} unless {@code pruned} says otherwise. */
  private static Mask mask(int size, IntPredicate pruned) {
    return Mask.all(size).narrowedTo(p -> !pruned.test(p));
  }

  @Test
  void unitsNoKeptWeightReadsLoseTheirWeightsAndTheCascadeRunsBackwards() {
    // fc2 reads no input 1 (column 1 of [2, 4]); fc1 reads nothing of conv channel 2 (inputs 8-11)
    // except through fc1 row 1, which goes once fc2 no longer reads it.
    Mask fc2 = mask(8, p -> p % 4 == 1);
    Mask fc1 = mask(48, p -> (p % 12 >= 8 && p / 12 != 1) || p == 0);
    Mask conv = Mask.all(54);
    Map<String, Mask> pruned =
        UnusedUnits.prune(NET, Map.of("conv.weight", conv, "fc1.weight", fc1, "fc2.weight", fc2));
    assertEquals(fc2, pruned.get("fc2.weight"));
    // Row 1 of fc1 (positions 12-23) is gone; so is channel 2 of conv (positions 36-53).
    assertEquals(fc1.narrowedTo(p -> p / 12 != 1), pruned.get("fc1.weight"));
    assertEquals(conv.narrowedTo(p -> p < 36), pruned.get("conv.weight"));
  }

  @Test
  void theNetworkComputesExactlyTheSameAfterward() {
    SplittableRandom random = new SplittableRandom(4);
    Network network = Network.initialize(NET, 3);
    Map<String, Mask> masks =
        Map.of(
            "conv.weight", mask(54, p -> random.nextDouble() < 0.3),
            "fc1.weight", mask(48, p -> random.nextDouble() < 0.8),
            "fc2.weight", mask(8, p -> random.nextDouble() < 0.5));
    masks.forEach((name, m) -> m.zeroPruned(network.parameter(name).values()));
    float[] input = new float[72 * 5];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextGaussian();
    }
    float[] before = network.forward(input, 5).clone();
    Map<String, Mask> pruned = UnusedUnits.prune(NET, masks);
    int removed = 0;
    for (Map.Entry<String, Mask> entry : pruned.entrySet()) {
      entry.getValue().zeroPruned(network.parameter(entry.getKey()).values());
      removed += masks.get(entry.getKey()).keptCount() - entry.getValue().keptCount();
    }
    assertArrayEquals(before, network.forward(input, 5));
    assertTrue(removed > 0, "this draw leaves unread units");
  }
}
