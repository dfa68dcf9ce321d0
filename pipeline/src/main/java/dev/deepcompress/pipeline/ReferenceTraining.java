package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Evaluation;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** Training a reference network from scratch, and the epoch loop every stage shares. */
final class ReferenceTraining {
  static final int DEFAULT_EPOCHS = 20;

  /**
   * Everything that determines the trained weights (with the data).
   *
   * @param dataset the data's name: a data set's ({@code mnist}) or the files'
   * @param preprocessing how the samples become inputs; recorded in the trained model
   */
  record Settings(
      Architecture architecture,
      String dataset,
      Preprocessing preprocessing,
      int epochs,
      long seed,
      int batchSize,
      SolverConfig solver) {

    Map<String, String> metadata() {
      Map<String, String> metadata = new TreeMap<>();
      metadata.put("dataset", dataset);
      metadata.put("train.epochs", Integer.toString(epochs));
      metadata.put("train.seed", Long.toString(seed));
      metadata.put("train.batch_size", Integer.toString(batchSize));
      metadata.put("train.solver", solver.describe());
      return metadata;
    }

    /** Also the key of cached references; the LeNets' own pixel scaling goes unsaid. */
    String describe() {
      String inputs =
          preprocessing.equals(ReferenceArchitectures.pixelScaling())
              ? ""
              : ", inputs " + preprocessing.describe();
      return String.format(
          "%s on %s: %d epochs, batch %d, seed %d, %s%s",
          architecture.name(), dataset, epochs, batchSize, seed, solver.describe(), inputs);
    }
  }

  private ReferenceTraining() {}

  static Network train(Settings settings, DatasetSplits splits, PrintStream console) {
    console.println("training " + settings.describe());
    Network network =
        Network.initialize(settings.architecture(), settings.preprocessing(), settings.seed());
    Batches batches = new Batches(splits.train(), settings.batchSize(), settings.seed());
    runEpochs(
        new Trainer(network, settings.solver()),
        batches,
        0,
        settings.epochs(),
        splits.test(),
        "epoch",
        console);
    return network;
  }

  /**
   * Trains {@code epochs} epochs (drawing epoch orders {@code firstEpoch, …}), printing one line
   * per epoch with the loss, the test error and the time.
   */
  static void runEpochs(
      Trainer trainer,
      Batches batches,
      int firstEpoch,
      int epochs,
      SampleSet test,
      String label,
      PrintStream console) {
    for (int e = 0; e < epochs; e++) {
      long start = System.nanoTime();
      double loss;
      try (EpochProgress progress =
          new EpochProgress(label + " " + (e + 1) + "/" + epochs, batches.batchesPerEpoch())) {
        loss = trainer.trainEpoch(batches, firstEpoch + e, progress);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Evaluation.Result result = Evaluation.evaluate(trainer.network()::predict, test);
      console.printf(
          "%s %3d/%d  loss %.4f  test error %.2f%%  %.2f s%n",
          label, e + 1, epochs, loss, result.errorPercent(), seconds);
    }
  }
}
