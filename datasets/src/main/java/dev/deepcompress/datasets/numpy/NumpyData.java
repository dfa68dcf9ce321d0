package dev.deepcompress.datasets.numpy;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Shape;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Labelled samples from NumPy files: a pair of {@code .npy} files (samples, labels) or an {@code
 * .npz} archive holding the arrays {@code x} and {@code y}, as {@code np.save} and {@code
 * np.savez}/{@code np.savez_compressed} write them.
 *
 * <p>Samples ({@code x}): uint8 or float32, in C order, of shape [N, D], [N, H, W] or [N, C, H, W];
 * float32 values must be finite. Labels ({@code y}): any integer type, shape [N], each in 0 … 2³¹−1
 * (whether they fit a model's outputs is {@link SampleSet#preparedFor}'s check). Anything else
 * (pickled object arrays, other dtypes, Fortran order, mismatched counts, truncated or oversized
 * data) is a {@link NumpyFormatException} of one line naming the file and the problem; headers and
 * sizes are checked before any array is allocated.
 */
public final class NumpyData {
  private static final int MAX_SAMPLE_RANK = 4;

  private NumpyData() {}

  /** Samples from one {@code .npy} file, labels from another. */
  public static SampleSet readPair(Path samples, Path labels) throws DatasetException {
    try (Source x = Source.file(samples);
        Source y = Source.file(labels)) {
      return read(x, y, samples.getFileName() + ", " + labels.getFileName());
    }
  }

  /** Samples and labels from the arrays {@code x} and {@code y} of an {@code .npz} archive. */
  public static SampleSet readNpz(Path archive) throws DatasetException {
    long fileBytes = size(archive);
    ZipFile zip;
    try {
      zip = new ZipFile(archive.toFile());
    } catch (ZipException e) {
      throw new NumpyFormatException(
          archive.toString(), "not a valid .npz (zip) archive: " + e.getMessage(), e);
    } catch (EOFException e) {
      // A zip record that claims more bytes than the file holds.
      throw new NumpyFormatException(
          archive.toString(),
          "not a valid .npz (zip) archive: a record runs past the end of the file",
          e);
    } catch (IOException e) {
      throw new DatasetException(archive + ": cannot read: " + e.getMessage(), e);
    }
    try (zip;
        Source x = Source.entry(zip, archive, "x", fileBytes);
        Source y = Source.entry(zip, archive, "y", fileBytes)) {
      return read(x, y, archive.getFileName().toString());
    } catch (IOException e) {
      throw e instanceof DatasetException d
          ? d
          : new DatasetException(archive + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static SampleSet read(Source x, Source y, String source) throws DatasetException {
    NpyReader.Declared samples = x.reader().readHeader();
    checkSamples(x.reader(), samples);
    NpyReader.Declared labels = y.reader().readHeader();
    checkLabels(y.reader(), labels, samples, x.name());
    long[] dims = samples.shape();
    Shape sampleShape = Shape.of(toInts(Arrays.copyOfRange(dims, 1, dims.length)));
    int[] labelValues;
    if (samples.dtype().isUint8()) {
      byte[] values = x.reader().readBytes(samples);
      labelValues = y.reader().readLabels(labels, "label");
      return SampleSet.ofBytes(source, sampleShape, values, labelValues);
    }
    float[] values = x.reader().readFloats(samples);
    requireFinite(x.reader(), values, sampleShape.elementCount());
    labelValues = y.reader().readLabels(labels, "label");
    return SampleSet.ofFloats(source, sampleShape, values, labelValues);
  }

  private static void checkSamples(NpyReader reader, NpyReader.Declared declared)
      throws NumpyFormatException {
    NpyDtype dtype = declared.dtype();
    if (!dtype.isUint8() && !dtype.isFloat32()) {
      throw reader.error(
          "samples of dtype "
              + dtype.name()
              + " ('"
              + dtype.descr()
              + "') are not supported: save them as uint8 (pixels) or float32, e.g."
              + " x.astype(np.float32)");
    }
    long[] shape = declared.shape();
    if (shape.length < 2 || shape.length > MAX_SAMPLE_RANK) {
      throw reader.error(
          "samples of shape "
              + declared.shapeText()
              + " are not [N, D], [N, H, W] or [N, C, H, W]");
    }
    if (declared.fortranOrder()) {
      throw reader.error(
          "the array is stored in Fortran order, which this reader does not support: save"
              + " np.ascontiguousarray(x)");
    }
    if (shape[0] == 0) {
      throw reader.error("holds no samples (shape " + declared.shapeText() + ")");
    }
    if (declared.elements() == 0) {
      throw reader.error("samples of shape " + declared.shapeText() + " have no values");
    }
  }

  private static void checkLabels(
      NpyReader reader, NpyReader.Declared labels, NpyReader.Declared samples, String samplesName)
      throws NumpyFormatException {
    NpyDtype dtype = labels.dtype();
    if (!dtype.isInteger()) {
      throw reader.error(
          "labels of dtype "
              + dtype.name()
              + " ('"
              + dtype.descr()
              + "') are not integers: save class indices, e.g. y.astype(np.int64)");
    }
    if (labels.shape().length != 1) {
      throw reader.error(
          "labels of shape " + labels.shapeText() + " are not one per sample: save y.reshape(-1)");
    }
    if (labels.shape()[0] != samples.shape()[0]) {
      throw reader.error(
          "holds "
              + labels.shape()[0]
              + " labels but "
              + samplesName
              + " holds "
              + samples.shape()[0]
              + " samples");
    }
  }

  private static void requireFinite(NpyReader reader, float[] values, int sampleSize)
      throws NumpyFormatException {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw reader.error(
            "value "
                + values[i]
                + " at element "
                + i % sampleSize
                + " of sample "
                + i / sampleSize
                + ": samples must be finite");
      }
    }
  }

  private static int[] toInts(long[] dims) {
    int[] ints = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      ints[i] = Math.toIntExact(dims[i]);
    }
    return ints;
  }

  private static long size(Path file) throws DatasetException {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** One array's stream with its reader. */
  private record Source(String name, InputStream in, NpyReader reader) implements AutoCloseable {

    static Source file(Path path) throws DatasetException {
      long length = size(path);
      try {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        return new Source(
            path.getFileName().toString(), in, new NpyReader(path.toString(), in, length));
      } catch (IOException e) {
        throw new DatasetException(path + ": cannot read: " + e.getMessage(), e);
      }
    }

    /**
     * The array {@code name} of an archive. A stored entry's size is checked against the archive's;
     * a compressed entry's declared size cannot be trusted, so its data is read as it comes.
     */
    static Source entry(ZipFile zip, Path archive, String name, long archiveBytes)
        throws IOException {
      ZipEntry entry = zip.getEntry(name + ".npy");
      String source = archive + ":" + name + ".npy";
      if (entry == null) {
        List<String> arrays = new ArrayList<>();
        for (ZipEntry e : Collections.list(zip.entries())) {
          if (arrays.size() == 10) {
            arrays.add("…");
            break;
          }
          arrays.add(e.getName().replaceFirst("\\.npy$", ""));
        }
        throw new NumpyFormatException(
            archive.toString(),
            "has no array '" + name + "' (it holds " + (arrays.isEmpty() ? "none" : arrays) + ")");
      }
      boolean stored =
          entry.getMethod() == ZipEntry.STORED
              && entry.getSize() >= 0
              && entry.getSize() == entry.getCompressedSize()
              && entry.getSize() <= archiveBytes;
      InputStream in;
      try {
        in = new BufferedInputStream(zip.getInputStream(entry), 1 << 16);
      } catch (ZipException e) {
        throw new NumpyFormatException(source, "unreadable zip entry: " + e.getMessage(), e);
      }
      return new Source(
          name + ".npy", in, new NpyReader(source, in, stored ? entry.getSize() : -1));
    }

    @Override
    public void close() throws DatasetException {
      try {
        in.close();
      } catch (IOException e) {
        throw new DatasetException(name + ": cannot close: " + e.getMessage(), e);
      }
    }
  }
}
