package dev.deepcompress.onnx;

import dev.deepcompress.runtime.format.AtomicFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.StringJoiner;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes every parameter of a model, decoded to dense float32, as a NumPy {@code .npz} archive the
 * way {@code numpy.savez} does: a zip of uncompressed {@code NAME.npy} entries, so that {@code
 * numpy.load(file)["conv1.weight"]} gives the tensor with its shape. Each {@code .npy} is format
 * version 1.0: the magic {@code \x93NUMPY}, the version, a little-endian u16 header length, then a
 * Python dict literal ({@code descr '<f4'}, C order, the shape) padded with spaces and a newline so
 * that the data starts at a multiple of 64 bytes, then the values, little-endian.
 */
public final class NpzWriter {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  private static final int ALIGNMENT = 64;
  // Zip entries carry a modification time; a fixed one keeps the bytes the same on every run.
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private NpzWriter() {}

  /** Writes the archive atomically: on failure an existing file is left untouched. */
  public static void write(Model model, Path file) throws IOException {
    AtomicFile.write(file, toBytes(model));
  }

  /** The archive's bytes: one entry per parameter, in the architecture's order. */
  public static byte[] toBytes(Model model) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, float[]> parameter : model.parameters().entrySet()) {
        byte[] npy = npy(model.tensor(parameter.getKey()).shape(), parameter.getValue());
        ZipEntry entry = new ZipEntry(parameter.getKey() + ".npy");
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(npy.length);
        CRC32 crc = new CRC32();
        crc.update(npy);
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
        zip.write(npy);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** One {@code .npy} file: a float32 array of the given shape, C order. */
  static byte[] npy(Shape shape, float[] values) {
    StringJoiner dims = new StringJoiner(", ", "(", shape.rank() == 1 ? ",)" : ")");
    for (int d : shape.dims()) {
      dims.add(Integer.toString(d));
    }
    StringBuilder header =
        new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
            .append(dims)
            .append(", }");
    int unpadded = MAGIC.length + 2 + header.length() + 1;
    header.append(" ".repeat((ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT)).append('\n');
    byte[] text = header.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer npy =
        ByteBuffer.allocate(MAGIC.length + 2 + text.length + 4 * values.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    npy.put(MAGIC).putShort((short) text.length).put(text);
    npy.asFloatBuffer().put(values);
    return npy.array();
  }
}
