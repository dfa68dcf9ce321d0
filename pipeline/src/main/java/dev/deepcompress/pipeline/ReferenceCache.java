package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Network;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Trained references kept between runs, keyed by everything that determines their weights, so that
 * re-running {@code reproduce} does not train the same network again.
 */
final class ReferenceCache {
  private final Path directory;

  ReferenceCache(Path cacheDirectory) {
    this.directory = cacheDirectory.resolve("references");
  }

  Path fileFor(ReferenceTraining.Settings settings) {
    return directory.resolve(
        settings.architecture().name() + "-" + key(settings) + ModelFile.EXTENSION);
  }

  /** The cached reference for these settings, or a freshly trained one (then cached). */
  Network trainOrLoad(
      ReferenceTraining.Settings settings, DatasetSplits splits, PrintStream console)
      throws IOException {
    return trainOrLoad(settings, splits, console, Checkpoints.NONE).network();
  }

  /**
   * The cached reference for these settings (with no losses: it was not trained now), or one
   * trained now, continuing from {@code checkpoints}, then cached.
   */
  ReferenceTraining.Trained trainOrLoad(
      ReferenceTraining.Settings settings,
      DatasetSplits splits,
      PrintStream console,
      Checkpoints checkpoints)
      throws IOException {
    Path file = fileFor(settings);
    if (Files.isRegularFile(file)) {
      try {
        Model cached = ModelFile.read(file);
        // References cached before format 1.2 record no preprocessing; the key says they were
        // trained with the settings' own.
        Preprocessing recorded = cached.preprocessing().orElse(settings.preprocessing());
        if (recorded.equals(settings.preprocessing())) {
          Network network = Network.fromModel(cached.withPreprocessing(recorded));
          console.println("reference: cached " + file + " (" + settings.describe() + ")");
          return new ReferenceTraining.Trained(network, List.of());
        }
        console.println("reference: cached file has other input preprocessing, training again");
      } catch (ModelFormatException e) {
        console.println("reference: cached file unusable, training again: " + e.getMessage());
      }
    }
    ReferenceTraining.Trained trained =
        ReferenceTraining.train(settings, splits, console, checkpoints);
    Files.createDirectories(directory);
    ModelFile.write(trained.network().toModel(settings.metadata()), file);
    console.println("reference: cached as " + file);
    return trained;
  }

  private static String key(ReferenceTraining.Settings settings) {
    byte[] digest = RunSettings.sha256(settings.describe().getBytes(StandardCharsets.UTF_8));
    return RunSettings.hex(Arrays.copyOf(digest, 8));
  }
}
