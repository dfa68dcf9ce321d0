package dev.deepcompress.datasets.idx;

import dev.deepcompress.datasets.ImageSet;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Writes the images and labels of an {@link ImageSet} as idx3 and idx1 files. */
public final class IdxWriter {

  private IdxWriter() {}

  public static void writeImages(Path file, ImageSet set, boolean gzip) throws IOException {
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(set.count());
      out.writeInt(set.rows());
      out.writeInt(set.cols());
      out.write(set.pixels());
    }
  }

  public static void writeLabels(Path file, ImageSet set, boolean gzip) throws IOException {
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(IdxReader.LABELS_MAGIC);
      out.writeInt(set.count());
      out.write(set.labels());
    }
  }

  private static DataOutputStream open(Path file, boolean gzip) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(
        new BufferedOutputStream(gzip ? new GzipCompressorOutputStream(raw) : raw, 1 << 16));
  }
}
