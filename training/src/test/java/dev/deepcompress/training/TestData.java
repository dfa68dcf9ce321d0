package dev.deepcompress.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic data and networks for tests here and in the modules that build on training. */
public final class TestData {
  private TestData() {}

  /** An 8×8-input MLP with a hidden ReLU layer and 4 classes. */
  public static final Architecture MLP =
      new Architecture(
          "mlp",
          Shape.of(1, 8, 8),
          List.of(
              new LayerSpec.FullyConnected("ip1", 64, 40),
              new LayerSpec.Relu("relu1"),
              new LayerSpec.FullyConnected("ip2", 40, 4)));

  /** A small convolutional net on the same 8×8 images: every layer kind, 4 classes. */
  public static final Architecture CNN =
      new Architecture(
          "cnn",
          Shape.of(1, 8, 8),
          List.of(
              new LayerSpec.Convolution("conv1", 1, 6, 3, 1, 1),
              new LayerSpec.MaxPool("pool1", 2, 2),
              new LayerSpec.Relu("relu1"),
              new LayerSpec.FullyConnected("ip1", 6 * 4 * 4, 4)));

  /**
   * 8×8 images whose label is the quadrant holding a bright blob: learnable, not trivial. Prepared
   * with the LeNets' pixel scaling.
   */
  public static SampleSet quadrants(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[count * 64];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int label = random.nextInt(4);
      labels[i] = label;
      for (int p = 0; p < 64; p++) {
        pixels[i * 64 + p] = (byte) random.nextInt(60);
      }
      int row = (label / 2) * 4 + random.nextInt(3);
      int col = (label % 2) * 4 + random.nextInt(3);
      pixels[i * 64 + row * 8 + col] = (byte) (180 + random.nextInt(76));
      pixels[i * 64 + (row + 1) * 8 + col] = (byte) (180 + random.nextInt(76));
    }
    return SampleSet.ofBytes("quadrants", Shape.of(1, 8, 8), pixels, labels)
        .withPreprocessing(ReferenceArchitectures.pixelScaling());
  }

  /**
   * Trains a fresh network of {@code architecture} on quadrants for {@code epochs} epochs and
   * asserts that it learned: near chance before, under 5% test error and half the loss after.
   * Returns the trainer for further checks.
   */
  public static Trainer assertLearnsQuadrants(Architecture architecture, int epochs) {
    Network network = Network.initialize(architecture, 1);
    SampleSet test = quadrants(500, 99);
    double before = Evaluation.evaluate(network::predict, test).errorPercent();
    Trainer trainer = new Trainer(network, SolverConfig.caffeLenet());
    Batches batches = new Batches(quadrants(2000, 7), 64, 1);
    double firstLoss = trainer.trainEpoch(batches, 0, new Trainer.Listener() {});
    double lastLoss = firstLoss;
    for (int epoch = 1; epoch < epochs; epoch++) {
      lastLoss = trainer.trainEpoch(batches, epoch, new Trainer.Listener() {});
    }
    double after = Evaluation.evaluate(network::predict, test).errorPercent();
    assertTrue(before > 40, "an untrained network should be near chance, error " + before);
    assertTrue(after < 5, "test error after training " + after + "%");
    assertTrue(lastLoss < firstLoss / 2, "loss " + firstLoss + " → " + lastLoss);
    return trainer;
  }
}
