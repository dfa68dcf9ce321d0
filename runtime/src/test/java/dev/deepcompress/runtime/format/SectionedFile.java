package dev.deepcompress.runtime.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A model file split into its header and sections following docs/model-format.md, written
 * independently of the production code so tests can rearrange, inject or patch sections and
 * reassemble a file whose CRCs are valid.
 */
record SectionedFile(byte[] header, List<Section> sections) {

  record Section(String tag, int flags, byte[] payload) {
    Section withPayload(byte[] newPayload) {
      return new Section(tag, flags, newPayload);
    }
  }

  static SectionedFile parse(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    byte[] header = Arrays.copyOf(file, 16);
    in.position(16);
    List<Section> sections = new ArrayList<>();
    while (in.hasRemaining()) {
      byte[] tag = new byte[4];
      in.get(tag);
      int flags = in.getInt();
      byte[] payload = new byte[(int) in.getLong()];
      in.get(payload);
      in.getInt();
      sections.add(new Section(new String(tag, StandardCharsets.US_ASCII), flags, payload));
    }
    return new SectionedFile(header, new ArrayList<>(sections));
  }

  List<String> tags() {
    return sections.stream().map(Section::tag).toList();
  }

  int indexOf(String tag) {
    return tags().indexOf(tag);
  }

  /** Absolute offset at which section {@code index} starts in the assembled file. */
  int offsetOf(int index) {
    int offset = 16;
    for (int i = 0; i < index; i++) {
      offset += 20 + sections.get(i).payload().length;
    }
    return offset;
  }

  /** The same file with section {@code index} holding {@code payload} (and a valid CRC). */
  SectionedFile replace(int index, byte[] payload) {
    List<Section> replaced = new ArrayList<>(sections);
    replaced.set(index, replaced.get(index).withPayload(payload));
    return new SectionedFile(header, replaced);
  }

  /** Rewrites the END section's counts to match the sections now present. */
  SectionedFile withConsistentEnd() {
    List<Section> fixed = new ArrayList<>(sections);
    int end = tags().indexOf("END ");
    long tensors = tags().stream().filter("TENS"::equals).count();
    fixed.set(
        end,
        fixed
            .get(end)
            .withPayload(
                ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(end)
                    .putInt((int) tensors)
                    .array()));
    return new SectionedFile(header, fixed);
  }

  byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    for (Section section : sections) {
      out.writeBytes(frame(section.tag(), section.flags(), section.payload()));
    }
    return out.toByteArray();
  }

  static byte[] frame(String tag, int flags, byte[] payload) {
    ByteBuffer out =
        ByteBuffer.allocate(20 + payload.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(tag.getBytes(StandardCharsets.US_ASCII))
            .putInt(flags)
            .putLong(payload.length)
            .put(payload);
    out.putInt((int) crc(out.array(), 0, 16 + payload.length));
    return out.array();
  }

  static long crc(byte[] bytes, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }

  /** A header with the given version and a valid header CRC. */
  static byte[] header(int major, int minor) {
    ByteBuffer out =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(new byte[] {(byte) 0x89, 'D', 'C', 'M', 'O', 'D', '\r', '\n'})
            .putShort((short) major)
            .putShort((short) minor);
    out.putInt((int) crc(out.array(), 0, 12));
    return out.array();
  }
}
