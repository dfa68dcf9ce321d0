package dev.deepcompress.runtime.format;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * One pass over a model file in memory (a heap array or a mapped file): the header, then each
 * section framed, CRC-checked and dispatched by tag, enforcing the section order ARCH, PREP?,
 * META?, TENS…, END. Reads only within the declared sections, so bytes past them cost nothing.
 */
final class ModelFileReader {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  private final ByteBuffer data;
  private final int size;
  private final String source;
  private final ReadLimits limits;

  private Architecture architecture;
  private List<ParameterSpec> parameters;
  private Preprocessing preprocessing;
  private Map<String, String> metadata;
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final List<TensorLayout> tensorLayouts = new ArrayList<>();
  // Header and every section that is not a tensor; tensors account for themselves.
  private long otherBytes = ModelFile.HEADER_BYTES;
  private int sectionCount;

  /**
   * @param data the whole file, from index 0 to its limit
   */
  ModelFileReader(ByteBuffer data, String source, ReadLimits limits) {
    this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.size = data.limit();
    this.source = source;
    this.limits = limits;
  }

  /** Reads the whole file, see {@link #model()} and {@link #layout()} for what it found. */
  ModelFileReader read() throws ModelFormatException {
    readHeader();
    int position = ModelFile.HEADER_BYTES;
    while (true) {
      if (position == size) {
        throw new ModelFormatException(
            source,
            null,
            position,
            "file ends after " + sectionCount + " sections without an END section (truncated?)");
      }
      position = readSection(position);
      if (position < 0) {
        return this;
      }
    }
  }

  Model model() {
    Model model = Model.ofTensors(architecture, tensors, metadata == null ? Map.of() : metadata);
    return preprocessing == null ? model : model.withPreprocessing(preprocessing);
  }

  /** Bytes by component: each tensor's parts, everything else as header and other. */
  FileLayout layout() {
    Map<FileLayout.Component, Long> components = new EnumMap<>(FileLayout.Component.class);
    components.put(FileLayout.Component.HEADER_AND_OTHER, otherBytes);
    for (TensorLayout t : tensorLayouts) {
      long data = t.indexPayloadBytes() + t.gapPayloadBytes() + t.codebookBytes();
      data += t.parameterBytes() + t.huffmanTableBytes() + t.denseBytes();
      boolean bias = t.role() == ParameterSpec.Role.BIAS;
      if (bias && t.encoding() != TensorEncoding.DENSE_FP32) {
        // A quantized bias is one component, so its cost shows beside the fp32 biases'.
        components.merge(FileLayout.Component.QUANTIZED_BIASES, data, Long::sum);
      } else {
        components.merge(FileLayout.Component.CODEBOOK_INDICES, t.indexPayloadBytes(), Long::sum);
        components.merge(FileLayout.Component.POSITION_GAPS, t.gapPayloadBytes(), Long::sum);
        components.merge(FileLayout.Component.CODEBOOKS, t.codebookBytes(), Long::sum);
        components.merge(FileLayout.Component.QUANTIZER_PARAMETERS, t.parameterBytes(), Long::sum);
        components.merge(FileLayout.Component.HUFFMAN_TABLES, t.huffmanTableBytes(), Long::sum);
        components.merge(
            bias ? FileLayout.Component.BIASES : FileLayout.Component.DENSE_WEIGHTS,
            t.denseBytes(),
            Long::sum);
      }
      components.merge(FileLayout.Component.HEADER_AND_OTHER, t.sectionBytes() - data, Long::sum);
    }
    return new FileLayout(size, components, tensorLayouts);
  }

  /**
   * Checks the 16-byte header: magic, major version, CRC. Callers that read a file piecewise call
   * this on its first bytes before reading the rest.
   */
  void readHeader() throws ModelFormatException {
    if (size == 0) {
      throw headerError(0, "the file is empty");
    }
    int magicLength = ModelFile.MAGIC.length;
    byte[] start = new byte[Math.min(size, magicLength)];
    data.get(0, start);
    if (!Arrays.equals(start, Arrays.copyOf(ModelFile.MAGIC, start.length))) {
      throw headerError(
          0,
          "not a deepcompress model file: it starts with ["
              + HEX.formatHex(start)
              + "], a model file with ["
              + HEX.formatHex(ModelFile.MAGIC)
              + "]");
    }
    if (size < ModelFile.HEADER_BYTES) {
      throw headerError(
          size,
          "truncated header: the file has "
              + size
              + " bytes, the header alone needs "
              + ModelFile.HEADER_BYTES);
    }
    int major = Short.toUnsignedInt(data.getShort(magicLength));
    int minor = Short.toUnsignedInt(data.getShort(magicLength + 2));
    if (major != ModelFile.MAJOR_VERSION) {
      throw headerError(
          magicLength,
          "format version "
              + major
              + "."
              + minor
              + " is not supported: this reader reads version "
              + ModelFile.MAJOR_VERSION
              + ".x files");
    }
    checkCrc(null, 0, magicLength + 4);
  }

  private ModelFormatException headerError(long offset, String detail) {
    return new ModelFormatException(source, null, offset, detail);
  }

  /** Verifies the CRC32C stored right after {@code [start, end)}. */
  private void checkCrc(String section, int start, int end) throws ModelFormatException {
    CRC32C crc = new CRC32C();
    crc.update(data.slice(start, end - start));
    long stored = Integer.toUnsignedLong(data.getInt(end));
    if (stored != crc.getValue()) {
      throw new ModelFormatException(
          source,
          section,
          end,
          String.format(
              "CRC32C mismatch (stored %08x, computed %08x): the data is corrupt",
              stored, crc.getValue()));
    }
  }

  /**
   * Frames, verifies and interprets the section at {@code start}.
   *
   * @return where the next section starts, or -1 after the END section
   */
  private int readSection(int start) throws ModelFormatException {
    ByteReader frame = new ByteReader(data, start, size, source, null);
    frame.require(ModelFile.SECTION_HEADER_BYTES + ModelFile.CRC_BYTES, "section header and CRC");
    String tag = readTag(frame);
    // Trailing spaces pad short tags ("END "); messages show the tag without them.
    String label = tag.stripTrailing();
    frame.section(label);
    long flags = frame.u32("section flags");
    int lengthAt = frame.position();
    long length = frame.u64("section length");
    long available = frame.remaining() - ModelFile.CRC_BYTES;
    if (Long.compareUnsigned(length, available) > 0) {
      throw frame.errorAt(
          lengthAt,
          "declares "
              + Long.toUnsignedString(length)
              + " payload bytes but only "
              + available
              + " remain before its CRC");
    }
    int payloadStart = frame.position();
    int payloadEnd = payloadStart + (int) length;
    int sectionEnd = payloadEnd + ModelFile.CRC_BYTES;
    checkCrc(label, start, payloadEnd);
    if ((flags & ~ModelFile.FLAG_OPTIONAL) != 0) {
      throw frame.errorAt(start + 4, String.format("reserved flag bits set (flags %08x)", flags));
    }
    boolean optional = (flags & ModelFile.FLAG_OPTIONAL) != 0;
    ByteReader payload = new ByteReader(data, payloadStart, payloadEnd, source, label);
    switch (tag) {
      case ModelFile.ARCH -> {
        requireFlags(payload, start, optional, false);
        if (architecture != null) {
          throw payload.errorAt(start, "duplicate ARCH section");
        }
        architecture = ArchitectureCodec.read(payload, limits);
        parameters = architecture.parameters();
      }
      case ModelFile.PREP -> {
        requireFlags(payload, start, optional, false);
        requireArchitecture(payload, start);
        if (preprocessing != null) {
          throw payload.errorAt(start, "duplicate PREP section");
        }
        if (metadata != null || !tensors.isEmpty()) {
          throw payload.errorAt(start, "PREP must come before META and the tensors");
        }
        preprocessing = PreprocessingCodec.read(payload, architecture.inputShape());
      }
      case ModelFile.META -> {
        requireFlags(payload, start, optional, true);
        requireArchitecture(payload, start);
        if (metadata != null) {
          throw payload.errorAt(start, "duplicate META section");
        }
        if (!tensors.isEmpty()) {
          throw payload.errorAt(start, "META must come before the tensors");
        }
        metadata = readMetadata(payload);
      }
      case ModelFile.TENS -> {
        requireFlags(payload, start, optional, false);
        requireArchitecture(payload, start);
        if (tensors.size() == parameters.size()) {
          throw payload.errorAt(
              start,
              "one tensor too many: the architecture declares "
                  + parameters.size()
                  + " parameters");
        }
        ParameterSpec expected = parameters.get(tensors.size());
        TensorCodec.ReadTensor read = TensorCodec.read(payload, expected, sectionEnd - start);
        tensors.put(expected.name(), read.tensor());
        tensorLayouts.add(read.layout());
      }
      case ModelFile.END -> {
        requireFlags(payload, start, optional, false);
        readEnd(payload, start);
        if (sectionEnd != size) {
          throw new ModelFormatException(
              source,
              null,
              sectionEnd,
              (size - sectionEnd) + " unexpected bytes after the END section");
        }
        otherBytes += sectionEnd - start;
        return -1;
      }
      default -> {
        if (!optional) {
          throw payload.errorAt(
              start,
              "unknown required section '"
                  + tag
                  + "' (not flagged optional, so it cannot be skipped; a newer writer?)");
        }
      }
    }
    sectionCount++;
    if (!tag.equals(ModelFile.TENS)) {
      otherBytes += sectionEnd - start;
    }
    return sectionEnd;
  }

  /** Four printable ASCII characters. */
  private static String readTag(ByteReader frame) throws ModelFormatException {
    int at = frame.position();
    char[] tag = new char[4];
    for (int i = 0; i < tag.length; i++) {
      int c = frame.u8("section tag");
      if (c < 0x20 || c > 0x7E) {
        throw frame.errorAt(at, "section tag is not printable ASCII (byte " + i + " is " + c + ")");
      }
      tag[i] = (char) c;
    }
    return new String(tag);
  }

  private static void requireFlags(ByteReader in, int start, boolean optional, boolean expected)
      throws ModelFormatException {
    if (optional != expected) {
      throw in.errorAt(
          start + 4, "this section must " + (expected ? "" : "not ") + "be flagged optional");
    }
  }

  private void requireArchitecture(ByteReader in, int start) throws ModelFormatException {
    if (architecture == null) {
      throw in.errorAt(start, "this section must come after the ARCH section");
    }
  }

  private Map<String, String> readMetadata(ByteReader in) throws ModelFormatException {
    int countAt = in.position();
    long count = in.u32("metadata entry count");
    // Each entry holds at least its two u16 string lengths.
    if (count > in.remaining() / 4) {
      throw in.errorAt(
          countAt,
          "declares "
              + count
              + " metadata entries but the remaining "
              + in.remaining()
              + " bytes hold at most "
              + in.remaining() / 4);
    }
    Map<String, String> entries = new HashMap<>();
    byte[] previous = null;
    for (int i = 0; i < count; i++) {
      int keyAt = in.position();
      String key = in.string("metadata key");
      byte[] keyBytes = ByteWriter.utf8(key);
      if (previous != null && Arrays.compareUnsigned(previous, keyBytes) >= 0) {
        throw in.errorAt(
            keyAt, "metadata key '" + key + "' is out of order or repeated (keys must ascend)");
      }
      previous = keyBytes;
      entries.put(key, in.string("metadata value"));
    }
    in.requireEnd();
    return entries;
  }

  private void readEnd(ByteReader in, int start) throws ModelFormatException {
    if (architecture == null) {
      throw in.errorAt(start, "END without an ARCH section");
    }
    if (tensors.size() < parameters.size()) {
      throw in.errorAt(
          start,
          "tensor '"
              + parameters.get(tensors.size()).name()
              + "' is missing: the file has "
              + tensors.size()
              + " of the "
              + parameters.size()
              + " tensors the architecture declares");
    }
    int sectionsAt = in.position();
    long declaredSections = in.u32("section count");
    if (declaredSections != sectionCount) {
      throw in.errorAt(
          sectionsAt,
          "END counts "
              + declaredSections
              + " sections before it but the file has "
              + sectionCount
              + " (a section was removed or added)");
    }
    int tensorsAt = in.position();
    long declaredTensors = in.u32("tensor count");
    if (declaredTensors != tensors.size()) {
      throw in.errorAt(
          tensorsAt,
          "END counts " + declaredTensors + " tensors but the file has " + tensors.size());
    }
    in.requireEnd();
  }
}
