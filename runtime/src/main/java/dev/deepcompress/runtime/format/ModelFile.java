package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The {@code .dcmodel} file: a model's architecture, metadata and parameter tensors in
 * CRC-protected sections. The layout is specified in docs/model-format.md; this class implements
 * version {@value #MAJOR_VERSION}.{@value #MINOR_VERSION}, writes the lowest minor version that has
 * every feature the model uses (so a dense model without recorded preprocessing stays readable by
 * 1.0 readers), and reads any {@value #MAJOR_VERSION}.x file whose content it understands.
 */
public final class ModelFile {
  public static final String EXTENSION = ".dcmodel";

  public static final int MAJOR_VERSION = 1;
  public static final int MINOR_VERSION = 4;

  /**
   * Largest file this implementation reads or writes: it holds the whole file in one buffer, an
   * array or a mapping.
   */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  static final byte[] MAGIC = {(byte) 0x89, 'D', 'C', 'M', 'O', 'D', '\r', '\n'};
  static final int HEADER_BYTES = 16;
  static final int SECTION_HEADER_BYTES = 16;
  static final int CRC_BYTES = 4;
  static final int FLAG_OPTIONAL = 1;
  static final int MAX_STRING_BYTES = 0xFFFF;
  static final int MAX_RANK = 8;

  static final String ARCH = "ARCH";
  static final String PREP = "PREP";
  static final String META = "META";
  static final String TENS = "TENS";
  static final String END = "END ";

  private ModelFile() {}

  /**
   * Writes atomically ({@link AtomicFile}): on any failure an existing target is left untouched.
   *
   * @throws FileSystemException naming the target if the bytes cannot be written or forced to disk
   * @throws IllegalArgumentException if the model cannot be represented (non-finite parameters,
   *     over-long strings, too large)
   */
  public static void write(Model model, Path path) throws IOException {
    AtomicFile.write(path, toBytes(model));
  }

  /**
   * Bytes one tensor's section payload takes in a file, for choosing between encodings without
   * writing a whole model.
   */
  public static int encodedBytes(ParameterSpec spec, Tensor tensor) {
    ByteWriter out = new ByteWriter();
    TensorCodec.write(out, spec, tensor);
    return out.size();
  }

  /** The exact bytes {@link #write} puts in the file; identical models give identical bytes. */
  public static byte[] toBytes(Model model) {
    int minor = 0;
    for (Tensor tensor : model.tensors().values()) {
      minor = Math.max(minor, TensorEncoding.of(tensor).sinceMinorVersion());
    }
    if (model.preprocessing().isPresent()) {
      minor = Math.max(minor, PreprocessingCodec.SINCE_MINOR_VERSION);
    }
    ByteWriter out = new ByteWriter();
    out.raw(MAGIC);
    out.u16(MAJOR_VERSION);
    out.u16(minor);
    out.crc32cSince(0);
    int sections = 0;

    out.beginSection(ARCH, 0);
    ArchitectureCodec.write(out, model.architecture());
    out.endSection();
    sections++;

    if (model.preprocessing().isPresent()) {
      // Required: a reader that skipped it would feed the network unprocessed inputs.
      out.beginSection(PREP, 0);
      PreprocessingCodec.write(out, model.preprocessing().get());
      out.endSection();
      sections++;
    }

    if (!model.metadata().isEmpty()) {
      out.beginSection(META, FLAG_OPTIONAL);
      writeMetadata(out, model.metadata());
      out.endSection();
      sections++;
    }

    List<ParameterSpec> parameters = model.architecture().parameters();
    for (ParameterSpec spec : parameters) {
      out.beginSection(TENS, 0);
      TensorCodec.write(out, spec, model.tensor(spec.name()));
      out.endSection();
      sections++;
    }

    out.beginSection(END, 0);
    out.u32(sections);
    out.u32(parameters.size());
    out.endSection();
    return out.toByteArray();
  }

  /**
   * Reads a model file within {@link ReadLimits#defaults()}.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws FileSystemException if the path is a directory
   * @throws ModelFormatException if the content is not a valid model file or exceeds the limits
   */
  public static Model read(Path path) throws IOException {
    return read(path, ReadLimits.defaults());
  }

  /**
   * Reads a model file within {@code limits}. The 16-byte header is read and checked first; a
   * regular file is then mapped, not copied, so bytes beyond its declared sections are never
   * loaded; anything else (a pipe, a device) is read to its end after the header.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws FileSystemException if the path is a directory
   * @throws ModelFormatException if the content is not a valid model file or exceeds the limits
   */
  public static Model read(Path path, ReadLimits limits) throws IOException {
    return readFile(path, limits).model();
  }

  /** Parses a whole model file held in memory, within {@link ReadLimits#defaults()}. */
  public static Model fromBytes(byte[] bytes, String sourceName) throws ModelFormatException {
    return fromBytes(bytes, sourceName, ReadLimits.defaults());
  }

  /**
   * Parses a whole model file held in memory.
   *
   * @param sourceName names the origin in error messages, e.g. the file name
   */
  public static Model fromBytes(byte[] bytes, String sourceName, ReadLimits limits)
      throws ModelFormatException {
    return new ModelFileReader(ByteBuffer.wrap(bytes), sourceName, limits).read().model();
  }

  /**
   * Reads and fully validates a model file within {@link ReadLimits#defaults()}, and tells where
   * its bytes go.
   *
   * @throws NoSuchFileException if there is no such file
   * @throws FileSystemException if the path is a directory
   * @throws ModelFormatException if the content is not a valid model file or exceeds the limits
   */
  public static FileLayout inspect(Path path) throws IOException {
    return readFile(path, ReadLimits.defaults()).layout();
  }

  /** A model and where its file's bytes go, from one read of the file. */
  public record Contents(Model model, FileLayout layout) {}

  /**
   * {@link #read(Path)} and {@link #inspect(Path)} in one read, for a file that may be readable
   * only once (a pipe).
   */
  public static Contents readContents(Path path) throws IOException {
    ModelFileReader reader = readFile(path, ReadLimits.defaults());
    return new Contents(reader.model(), reader.layout());
  }

  /** {@link #inspect(Path)} for a whole file held in memory. */
  public static FileLayout inspect(byte[] bytes, String sourceName) throws ModelFormatException {
    return inspect(bytes, sourceName, ReadLimits.defaults());
  }

  /** {@link #inspect(byte[], String)} within {@code limits}. */
  public static FileLayout inspect(byte[] bytes, String sourceName, ReadLimits limits)
      throws ModelFormatException {
    return new ModelFileReader(ByteBuffer.wrap(bytes), sourceName, limits).read().layout();
  }

  private static ModelFileReader readFile(Path path, ReadLimits limits) throws IOException {
    if (Files.isDirectory(path)) {
      throw new FileSystemException(path.toString(), null, "is a directory, not a model file");
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such model file");
    }
    String source = path.toString();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      while (header.hasRemaining() && channel.read(header) >= 0) {}
      new ModelFileReader(header.flip(), source, limits).readHeader();
      ByteBuffer whole;
      if (Files.isRegularFile(path)) {
        long size = channel.size();
        requireReadableSize(size, source);
        whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      } else {
        InputStream rest = Channels.newInputStream(channel);
        // Grows only as bytes arrive; one byte past the limit tells an oversized stream.
        byte[] tail = rest.readNBytes((int) (MAX_FILE_BYTES - HEADER_BYTES + 1));
        requireReadableSize(HEADER_BYTES + (long) tail.length, source);
        whole = ByteBuffer.allocate(HEADER_BYTES + tail.length).put(header.rewind()).put(tail);
        whole.flip();
      }
      return new ModelFileReader(whole, source, limits).read();
    }
  }

  private static void requireReadableSize(long size, String source) throws ModelFormatException {
    if (size > MAX_FILE_BYTES) {
      throw new ModelFormatException(
          source,
          null,
          MAX_FILE_BYTES,
          "file is larger than the " + MAX_FILE_BYTES + " bytes this reader supports");
    }
  }

  /**
   * Entries in unsigned byte order of their UTF-8 keys, so the bytes do not depend on map order.
   */
  private static void writeMetadata(ByteWriter out, Map<String, String> metadata) {
    List<Map.Entry<String, String>> entries = new ArrayList<>(metadata.entrySet());
    entries.sort(Comparator.comparing(e -> ByteWriter.utf8(e.getKey()), Arrays::compareUnsigned));
    out.u32(entries.size());
    for (Map.Entry<String, String> entry : entries) {
      out.string(entry.getKey());
      out.string(entry.getValue());
    }
  }
}
