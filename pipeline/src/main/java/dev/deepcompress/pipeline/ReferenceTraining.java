package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Training a reference network from scratch, and the epoch loop every stage shares. */
final class ReferenceTraining {
  static final int DEFAULT_EPOCHS = 20;

  /** The name of reference training's checkpoints. */
  static final String STAGE = "reference";

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

    /** Everything that decides the trained weights, exactly, for checkpoints. */
    RunSettings runSettings(DatasetSplits splits) {
      return new RunSettings()
          .with("architecture", architecture)
          .with("dataset", dataset)
          .with("preprocessing", preprocessing.describe())
          .with("epochs", epochs)
          .with("seed", seed)
          .with("batch_size", batchSize)
          .with("solver", solver)
          .with("data", RunSettings.digest(splits));
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

  /** A trained network and the mean training loss of each of its epochs. */
  record Trained(Network network, List<Double> losses) {}

  static Network train(Settings settings, DatasetSplits splits, PrintStream console) {
    return train(settings, splits, console, Checkpoints.NONE).network();
  }

  /**
   * Trains from scratch, or continues the training {@code checkpoints} hold for these settings and
   * data (stage {@value #STAGE}), saving after every epoch.
   */
  static Trained train(
      Settings settings, DatasetSplits splits, PrintStream console, Checkpoints checkpoints) {
    console.println("training " + settings.describe());
    Network network =
        Network.initialize(settings.architecture(), settings.preprocessing(), settings.seed());
    Batches batches = new Batches(splits.train(), settings.batchSize(), settings.seed());
    List<Double> losses =
        runEpochs(
            new Trainer(network, settings.solver()),
            batches,
            0,
            settings.epochs(),
            Monitor.of(splits),
            "epoch",
            console,
            checkpoints.stage(STAGE, () -> settings.runSettings(splits)),
            "reference training");
    return new Trained(network, losses);
  }

  /**
   * Trains {@code epochs} epochs (drawing epoch orders {@code firstEpoch, …}), printing one line
   * per epoch with the loss, the error on {@code monitor}'s images and the time. Continues from the
   * stage's last checkpoint if it has one that fits, and saves one after every epoch, saying where
   * with {@code phase} ("reference training").
   *
   * @return the mean loss of every epoch, those before the checkpoint included
   */
  static List<Double> runEpochs(
      Trainer trainer,
      Batches batches,
      int firstEpoch,
      int epochs,
      Monitor monitor,
      String label,
      PrintStream console,
      Checkpoints.Stage checkpoints,
      String phase) {
    List<Double> losses = new ArrayList<>();
    Optional<Checkpoint> saved = checkpoints.load();
    if (saved.isPresent()) {
      try {
        SavedProgress.Epochs from = SavedProgress.epochs(saved.get(), epochs);
        trainer.restore(from.trainer());
        losses.addAll(from.losses());
      } catch (IllegalArgumentException e) {
        checkpoints.unusable(e.getMessage());
      }
    }
    for (int e = losses.size(); e < epochs; e++) {
      long start = System.nanoTime();
      double loss;
      try (EpochProgress progress =
          new EpochProgress(label + " " + (e + 1) + "/" + epochs, batches.batchesPerEpoch())) {
        loss = trainer.trainEpoch(batches, firstEpoch + e, progress);
      }
      losses.add(loss);
      double seconds = (System.nanoTime() - start) / 1e9;
      console.printf(
          "%s %3d/%d  loss %.4f  %s error %.2f%%  %.2f s%n",
          label,
          e + 1,
          epochs,
          loss,
          monitor.name(),
          monitor.errorPercent(trainer.network()::predict),
          seconds);
      checkpoints.save(
          SavedProgress.of(new SavedProgress.Epochs(e + 1, losses, trainer.state())),
          phase + ", epoch " + (e + 1) + "/" + epochs);
    }
    return List.copyOf(losses);
  }
}
