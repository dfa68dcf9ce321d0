package dev.deepcompress.datasets.idx;

import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Shape;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Writes the samples and labels of a {@link SampleSet} of grey images (unsigned bytes of shape
 * rows×cols or 1×rows×cols, labels below 256) as idx3 and idx1 files.
 */
public final class IdxWriter {

  private IdxWriter() {}

  public static void writeImages(Path file, SampleSet set, boolean gzip) throws IOException {
    Shape shape = set.sampleShape();
    int rank = shape.rank();
    if (rank < 2 || shape.elementCount() != shape.dim(rank - 2) * shape.dim(rank - 1)) {
      throw new IllegalArgumentException("IDX holds grey images, not samples of shape " + shape);
    }
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(set.count());
      out.writeInt(shape.dim(rank - 2));
      out.writeInt(shape.dim(rank - 1));
      out.write(set.byteValues());
    }
  }

  public static void writeLabels(Path file, SampleSet set, boolean gzip) throws IOException {
    byte[] labels = new byte[set.count()];
    for (int i = 0; i < labels.length; i++) {
      if (set.label(i) > 255) {
        throw new IllegalArgumentException(
            "IDX labels are bytes; label " + set.label(i) + " is not");
      }
      labels[i] = (byte) set.label(i);
    }
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(IdxReader.LABELS_MAGIC);
      out.writeInt(set.count());
      out.write(labels);
    }
  }

  private static DataOutputStream open(Path file, boolean gzip) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(
        new BufferedOutputStream(gzip ? new GzipCompressorOutputStream(raw) : raw, 1 << 16));
  }
}
