package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.model.Model;
import java.util.Map;
import picocli.CommandLine.Option;

/** What the written model file carries: its metadata, and the weights no unit reads. */
final class OutputOptions {
  @Option(
      names = "--strip-metadata",
      description =
          "Write no metadata (how the model was trained and compressed): a file to ship, still"
              + " valid and readable, a few hundred bytes smaller. The reports keep it.")
  boolean stripMetadata;

  @Option(
      names = "--keep-unused-units",
      description =
          "Keep the weights of neurons and channels that no kept weight of the next layer reads"
              + " (by default they are pruned after pruning, which changes nothing the network"
              + " computes); for measuring what pruning them saves.")
  boolean keepUnusedUnits;

  /** The model to write: {@code model}, without its metadata if asked. */
  Model forFile(Model model) {
    if (!stripMetadata) {
      return model;
    }
    Model bare = Model.ofTensors(model.architecture(), model.tensors(), Map.of());
    return model.preprocessing().map(bare::withPreprocessing).orElse(bare);
  }
}
