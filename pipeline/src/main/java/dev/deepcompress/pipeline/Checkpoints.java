package dev.deepcompress.pipeline;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a run's stages keep their progress. After each unit of work it can continue from (an
 * epoch), a stage saves a {@link Checkpoint} under its name and the {@link RunSettings} that decide
 * what it computes; when it starts, it asks for the last one saved. A run killed at any point and
 * started again with the same settings thus continues from the last checkpoint, and gives what the
 * uninterrupted run gives. Stages know nothing of how or where checkpoints are kept: the command
 * line keeps them in files ({@link StateDirectory}).
 */
interface Checkpoints {

  /** Keeps nothing: every stage starts from the beginning. */
  Checkpoints NONE =
      new Checkpoints() {
        @Override
        public Optional<Checkpoint> load(String stage, RunSettings settings) {
          return Optional.empty();
        }

        @Override
        public void save(String stage, RunSettings settings, Checkpoint checkpoint) {}

        @Override
        public void unusable(String stage, String reason) {}

        @Override
        public Stage stage(String name, Supplier<RunSettings> settings) {
          return new Stage(this, name, new RunSettings());
        }
      };

  /** The checkpoint last saved for {@code stage} under exactly these settings, if any. */
  Optional<Checkpoint> load(String stage, RunSettings settings);

  /**
   * Keeps {@code checkpoint} as the stage's latest, in place of the one before; it holds a {@value
   * Stage#WHERE} text saying where the run stands.
   */
  void save(String stage, RunSettings settings, Checkpoint checkpoint);

  /** The stage found its checkpoint unusable ({@code reason}) and starts afresh. */
  void unusable(String stage, String reason);

  /**
   * One stage's view: its name and settings fixed. The settings are only worked out (the data's
   * digest takes a moment) if checkpoints are kept.
   */
  default Stage stage(String name, Supplier<RunSettings> settings) {
    return new Stage(this, name, settings.get());
  }

  /** The checkpoints of one stage. */
  record Stage(Checkpoints store, String name, RunSettings settings) {
    /** The value that says, in words, where the run stood when the checkpoint was saved. */
    static final String WHERE = "where";

    Optional<Checkpoint> load() {
      return store.load(name, settings);
    }

    /** Saves {@code checkpoint}, saying {@code where} the run stands ("pruning 2, epoch 3/10"). */
    void save(Checkpoint checkpoint, String where) {
      store.save(name, settings, checkpoint.putString(WHERE, where));
    }

    void unusable(String reason) {
      store.unusable(name, reason);
    }
  }
}
