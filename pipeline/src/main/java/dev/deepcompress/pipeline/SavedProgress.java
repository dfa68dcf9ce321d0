package dev.deepcompress.pipeline;

import dev.deepcompress.compression.Mask;
import dev.deepcompress.pruning.IterativePruning;
import dev.deepcompress.training.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each stage's progress as a {@link Checkpoint} and back: the trainer's state, a run of epochs,
 * pruning's progress. Reading checks the kinds and counts of the values (a list's length, an
 * array's size against its count); whether the progress fits the run is the stage's to check.
 *
 * @see Checkpoints
 */
final class SavedProgress {
  private SavedProgress() {}

  /** A run of epochs: how many are done, their mean losses, and the trainer's state. */
  record Epochs(int done, List<Double> losses, Trainer.State trainer) {
    Epochs {
      losses = List.copyOf(losses);
    }
  }

  static Checkpoint of(Epochs epochs) {
    Checkpoint checkpoint = new Checkpoint();
    checkpoint.putLong("epochs.done", epochs.done());
    checkpoint.putDoubles("epochs.losses", doubles(epochs.losses()));
    putTrainer(checkpoint, epochs.trainer());
    return checkpoint;
  }

  /**
   * @param total the epochs of the whole run: a checkpoint has done 1 to total of them
   */
  static Epochs epochs(Checkpoint checkpoint, int total) {
    int done = checkpoint.getInt("epochs.done", 1, total);
    return new Epochs(done, losses(checkpoint, "epochs.losses", done), trainer(checkpoint));
  }

  static Checkpoint of(IterativePruning.Progress progress) {
    Checkpoint checkpoint = new Checkpoint();
    checkpoint.putLong("pruning.iteration", progress.iteration());
    checkpoint.putLong("pruning.epochs_done", progress.epochsDone());
    checkpoint.putDouble("pruning.error_after_pruning", progress.errorAfterPruningPct());
    putStats(checkpoint, "pruning.pruned", progress.pruned());
    checkpoint.putLong("pruning.finished", progress.finished().size());
    for (int i = 0; i < progress.finished().size(); i++) {
      IterativePruning.IterationReport report = progress.finished().get(i);
      String prefix = "pruning.finished/" + i + "/";
      checkpoint.putLong(prefix + "iteration", report.iteration());
      checkpoint.putDouble(prefix + "error_after_pruning", report.errorAfterPruningPct());
      checkpoint.putDouble(prefix + "error", report.errorPct());
      putStats(checkpoint, prefix + "pruned", report.tensors());
    }
    progress
        .masks()
        .forEach(
            (name, mask) -> {
              checkpoint.putLong("mask/" + name + "/size", mask.size());
              checkpoint.putInts("mask/" + name + "/kept", mask.keptPositions());
            });
    checkpoint.putDoubles("pruning.losses", doubles(progress.losses()));
    putTrainer(checkpoint, progress.trainer());
    return checkpoint;
  }

  static IterativePruning.Progress pruning(Checkpoint checkpoint) {
    int finishedCount = checkpoint.getInt("pruning.finished", 0, Integer.MAX_VALUE);
    List<IterativePruning.IterationReport> finished = new ArrayList<>();
    for (int i = 0; i < finishedCount; i++) {
      String prefix = "pruning.finished/" + i + "/";
      finished.add(
          new IterativePruning.IterationReport(
              checkpoint.getInt(prefix + "iteration", 1, Integer.MAX_VALUE),
              stats(checkpoint, prefix + "pruned"),
              checkpoint.getDouble(prefix + "error_after_pruning"),
              checkpoint.getDouble(prefix + "error")));
    }
    Map<String, Mask> masks = new LinkedHashMap<>();
    for (String name : checkpoint.keysUnder("mask/")) {
      int size = checkpoint.getInt("mask/" + name + "/size", 0, Integer.MAX_VALUE);
      masks.put(name, Mask.of(size, checkpoint.getInts("mask/" + name + "/kept")));
    }
    double[] losses = checkpoint.getDoubles("pruning.losses");
    return new IterativePruning.Progress(
        checkpoint.getInt("pruning.iteration", 1, Integer.MAX_VALUE),
        checkpoint.getInt("pruning.epochs_done", 1, Integer.MAX_VALUE),
        stats(checkpoint, "pruning.pruned"),
        checkpoint.getDouble("pruning.error_after_pruning"),
        masks,
        finished,
        losses(checkpoint, "pruning.losses", losses.length),
        trainer(checkpoint));
  }

  private static void putStats(
      Checkpoint checkpoint, String prefix, List<IterativePruning.TensorStats> stats) {
    checkpoint.putLong(prefix + ".count", stats.size());
    for (int j = 0; j < stats.size(); j++) {
      IterativePruning.TensorStats tensor = stats.get(j);
      String at = prefix + "/" + j + "/";
      checkpoint.putString(at + "tensor", tensor.tensor());
      checkpoint.putLong(at + "weights", tensor.weights());
      checkpoint.putLong(at + "kept", tensor.kept());
      checkpoint.putDouble(at + "threshold", tensor.threshold());
      checkpoint.putString(at + "policy", tensor.policy());
    }
  }

  private static List<IterativePruning.TensorStats> stats(Checkpoint checkpoint, String prefix) {
    int count = checkpoint.getInt(prefix + ".count", 0, Integer.MAX_VALUE);
    List<IterativePruning.TensorStats> stats = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      String at = prefix + "/" + j + "/";
      int weights = checkpoint.getInt(at + "weights", 1, Integer.MAX_VALUE);
      stats.add(
          new IterativePruning.TensorStats(
              checkpoint.getString(at + "tensor"),
              weights,
              checkpoint.getInt(at + "kept", 0, weights),
              checkpoint.getDouble(at + "threshold"),
              checkpoint.getString(at + "policy")));
    }
    return stats;
  }

  /**
   * The trainer's state under {@code trainer/}: the iteration count, each parameter's values and
   * momentum, and for each constrained parameter the number of arrays its constraint learned and
   * the arrays.
   */
  static void putTrainer(Checkpoint checkpoint, Trainer.State state) {
    checkpoint.putLong("trainer/iteration", state.iteration());
    state.parameters().forEach((name, v) -> checkpoint.putFloats("trainer/parameter/" + name, v));
    state.momentum().forEach((name, v) -> checkpoint.putFloats("trainer/momentum/" + name, v));
    state
        .constraints()
        .forEach(
            (name, learned) -> {
              checkpoint.putLong("trainer/constrained/" + name, learned.size());
              for (int i = 0; i < learned.size(); i++) {
                checkpoint.putFloats("trainer/learned/" + name + "/" + i, learned.get(i));
              }
            });
  }

  static Trainer.State trainer(Checkpoint checkpoint) {
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (String name : checkpoint.keysUnder("trainer/parameter/")) {
      parameters.put(name, checkpoint.getFloats("trainer/parameter/" + name));
    }
    Map<String, float[]> momentum = new LinkedHashMap<>();
    for (String name : checkpoint.keysUnder("trainer/momentum/")) {
      momentum.put(name, checkpoint.getFloats("trainer/momentum/" + name));
    }
    Map<String, List<float[]>> constraints = new LinkedHashMap<>();
    for (String name : checkpoint.keysUnder("trainer/constrained/")) {
      int count = checkpoint.getInt("trainer/constrained/" + name, 0, Integer.MAX_VALUE);
      List<float[]> learned = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        learned.add(checkpoint.getFloats("trainer/learned/" + name + "/" + i));
      }
      constraints.put(name, learned);
    }
    return new Trainer.State(
        checkpoint.getLong("trainer/iteration"), parameters, momentum, constraints);
  }

  private static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static List<Double> losses(Checkpoint checkpoint, String name, int count) {
    double[] losses = checkpoint.getDoubles(name);
    if (losses.length != count) {
      throw new IllegalArgumentException(
          "checkpoint value " + name + " holds " + losses.length + " losses, not " + count);
    }
    return Arrays.stream(losses).boxed().toList();
  }
}
