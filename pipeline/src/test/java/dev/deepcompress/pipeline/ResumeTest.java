package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.SolverConfig;
import dev.deepcompress.training.TestData;
import dev.deepcompress.training.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that continue from their checkpoints, in process: from every checkpoint an uninterrupted run
 * saves, a run started again gives the same file, byte for byte. (ResumeAfterKillTest does the same
 * to real processes killed with SIGKILL.)
 */
class ResumeTest {
  @TempDir Path dir;

  private static DatasetSplits data;
  private static Model reference;

  @BeforeAll
  static void trainReference() {
    data = new DatasetSplits("quadrants", TestData.quadrants(600, 7), TestData.quadrants(200, 99));
    Network network = Network.initialize(TestData.MLP, 1);
    Trainer trainer = new Trainer(network, SolverConfig.caffeLenet());
    for (int epoch = 0; epoch < 3; epoch++) {
      trainer.trainEpoch(new Batches(data.train(), 64, 1), epoch, new Trainer.Listener() {});
    }
    reference = network.toModel(Map.of("source", "test"));
  }

  /**
   * Both retraining phases, distilling from the reference, so that the teacher is needed too; a
   * codebook and a ternary quantizer.
   */
  private static CompressionPlan plan(int quantizeEpochs) {
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    layers.put("ip1", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.2), 3));
    // A quantizer with shadow weights and scales of its own to save.
    layers.put(
        "ip2",
        LayerPlan.kmeans(new ThresholdPolicy.QualityTimesStd(0.4), 2)
            .withQuantizer(QuantizerSpec.parse("ternary")));
    return new CompressionPlan(
        layers,
        new CompressionPlan.Retraining(
            2, 2, quantizeEpochs, 0.1, new CompressionPlan.Distilling(2, 0.3)));
  }

  private static Compression compression(CompressionPlan plan, Checkpoints checkpoints) {
    return Compression.of(reference)
        .plan(plan)
        .data(data)
        .seed(3)
        .metadata(Map.of("k", "v"))
        .checkpoints(checkpoints);
  }

  /** A file store that also keeps a copy of its directory after every save. */
  private static final class Recording implements Checkpoints {
    final StateDirectory live;
    final Path snapshots;
    final List<Path> saved = new ArrayList<>();

    Recording(Path root) {
      live =
          new StateDirectory(root.resolve("live"), new PrintStream(PrintStream.nullOutputStream()));
      snapshots = root.resolve("snapshots");
    }

    @Override
    public Optional<Checkpoint> load(String stage, RunSettings settings) {
      return live.load(stage, settings);
    }

    @Override
    public void save(String stage, RunSettings settings, Checkpoint checkpoint) {
      live.save(stage, settings, checkpoint);
      Path copy = snapshots.resolve(Integer.toString(saved.size()));
      try {
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(live.directory())) {
          for (Path file : files.toList()) {
            Files.copy(file, copy.resolve(file.getFileName()));
          }
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      saved.add(copy);
    }

    @Override
    public void unusable(String stage, String reason) {
      throw new AssertionError(stage + ": " + reason);
    }
  }

  private static StateDirectory copyOf(Path snapshot, Path to, ByteArrayOutputStream console)
      throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(snapshot)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new StateDirectory(to, new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  @Test
  void aRunStartedAgainFromAnyCheckpointWritesTheSameFile() throws IOException {
    Recording recording = new Recording(dir);
    Compression.Result whole = compression(plan(2), recording).run();
    byte[] expected = ModelFile.toBytes(whole.model());
    // 2 pruning iterations × 2 epochs, then 2 epochs of quantized retraining.
    assertEquals(6, recording.saved.size());

    for (int i = 0; i < recording.saved.size(); i++) {
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      StateDirectory state = copyOf(recording.saved.get(i), dir.resolve("again-" + i), console);
      Compression.Result again = compression(plan(2), state).run();
      String said = console.toString(StandardCharsets.UTF_8);
      assertArrayEquals(expected, ModelFile.toBytes(again.model()), "from checkpoint " + i);
      assertTrue(said.contains(" continues from "), said);
      assertEquals(whole.pruning(), again.pruning(), "the report is whole: " + i);
      assertEquals(whole.pruningLosses(), again.pruningLosses(), "" + i);
      assertEquals(whole.quantizedLosses(), again.quantizedLosses(), "" + i);
      assertEquals(whole.errorAfterQuantizationPct(), again.errorAfterQuantizationPct());
      for (String name : whole.weightsAfterPruning().keySet()) {
        assertArrayEquals(
            whole.weightsAfterPruning().get(name), again.weightsAfterPruning().get(name), name);
      }
    }
  }

  /**
   * The cubic schedule saves a checkpoint after every epoch too: continued from any of them, or run
   * again from the start, it writes the same file.
   */
  @Test
  void aCubicRunIsDeterministicAndContinuesFromAnyCheckpoint() throws IOException {
    Map<String, LayerPlan> layers = new LinkedHashMap<>();
    layers.put("ip1", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.2), 3));
    layers.put("ip2", LayerPlan.kmeans(new ThresholdPolicy.KeptFraction(0.5), 2));
    CompressionPlan cubic =
        new CompressionPlan(
            layers,
            new CompressionPlan.Retraining(
                2, 2, 1, 0.1, CompressionPlan.Distilling.OFF, CompressionPlan.PruneSchedule.CUBIC));
    Recording recording = new Recording(dir);
    Compression.Result whole = compression(cubic, recording).run();
    byte[] expected = ModelFile.toBytes(whole.model());
    assertArrayEquals(
        expected, ModelFile.toBytes(compression(cubic, Checkpoints.NONE).run().model()));
    assertEquals(5, recording.saved.size(), "4 pruning epochs, 1 of quantized retraining");
    assertEquals(List.of(1, 2), whole.pruning().stream().map(r -> r.iteration()).toList());
    assertEquals(
        List.of(512, 80),
        whole.pruning().getLast().tensors().stream().map(t -> t.kept()).toList(),
        "the plan's fractions of 64×40 and 40×4");

    for (int i = 0; i < recording.saved.size(); i++) {
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      StateDirectory state = copyOf(recording.saved.get(i), dir.resolve("cubic-" + i), console);
      Compression.Result again = compression(cubic, state).run();
      assertArrayEquals(expected, ModelFile.toBytes(again.model()), "from checkpoint " + i);
      assertEquals(whole.pruning(), again.pruning(), "the report is whole: " + i);
      assertEquals(whole.pruningLosses(), again.pruningLosses(), "" + i);
    }
  }

  @Test
  void changedSettingsStartOverAndSaySo() throws IOException {
    Recording recording = new Recording(dir);
    byte[] threeEpochs = ModelFile.toBytes(compression(plan(3), Checkpoints.NONE).run().model());
    compression(plan(2), recording).run();

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    StateDirectory state = copyOf(recording.saved.get(4), dir.resolve("changed"), console);
    byte[] changed = ModelFile.toBytes(compression(plan(3), state).run().model());
    String said = console.toString(StandardCharsets.UTF_8);
    assertArrayEquals(threeEpochs, changed, "nothing of the other run was used");
    assertTrue(said.contains("saved by a run with other settings (plan: sha256:"), said);
    assertTrue(said.contains("pruning starts over"), said);
    assertFalse(said.contains(" continues from "), said);
  }

  @Test
  void aDamagedCheckpointIsSetAsideAndTheRunStillGivesTheSameFile() throws IOException {
    Recording recording = new Recording(dir);
    byte[] expected = ModelFile.toBytes(compression(plan(2), recording).run().model());

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    StateDirectory state = copyOf(recording.saved.get(5), dir.resolve("damaged"), console);
    Path pruning = state.directory().resolve(Compressor.PRUNING + StateDirectory.EXTENSION);
    try (RandomAccessFile file = new RandomAccessFile(pruning.toFile(), "rw")) {
      file.seek(file.length() / 2);
      int b = file.read();
      file.seek(file.length() / 2);
      file.write(b ^ 0x10);
    }
    assertArrayEquals(expected, ModelFile.toBytes(compression(plan(2), state).run().model()));
    String said = console.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("saved pruning state unusable ("), said);
    assertTrue(said.contains("CRC mismatch"), said);
    assertTrue(said.contains("quantization continues from"), said);
  }

  @Test
  void clearingRemovesTheCheckpointsAndTheirDirectory() throws IOException {
    StateDirectory state =
        new StateDirectory(dir.resolve("state"), new PrintStream(PrintStream.nullOutputStream()));
    compression(plan(1), state).run();
    assertTrue(Files.isRegularFile(state.directory().resolve("quantization.state")));
    state.clear();
    assertFalse(Files.exists(state.directory()));
    state.clear();
  }
}
