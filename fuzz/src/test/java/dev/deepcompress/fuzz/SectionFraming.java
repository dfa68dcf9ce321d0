package dev.deepcompress.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The CRC fix-up layer of the {@code .dcmodel} fuzz target. A random mutation of a model file
 * breaks a CRC32C almost always, so the fuzzer would only ever test the CRC check; instead the
 * fuzzer's bytes describe the file's content, and this class frames them with correct lengths and
 * CRCs (docs/model-format.md §2), so that mutations reach the section parsers.
 *
 * <p>Input: a {@code u16} minor version, then records to the end of the input, each a 4-byte tag, a
 * flags byte (bit 0: optional; bits 1–7 land in the reserved flag bits 1–7), a {@code u32} payload
 * length, and the payload, cut short where the input ends. All little-endian. The header is valid
 * for major version 1; nothing else is fixed up, so section order and the END counts are the
 * fuzzer's to get right.
 */
final class SectionFraming {
  private static final byte[] MAGIC = {(byte) 0x89, 'D', 'C', 'M', 'O', 'D', '\r', '\n'};
  private static final int RECORD_HEADER = 4 + 1 + 4;

  private SectionFraming() {}

  /** The model file the fuzzer's input describes. */
  static byte[] frame(byte[] input) {
    ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    int minor = in.remaining() >= 2 ? Short.toUnsignedInt(in.getShort()) : 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(input.length + 64);
    ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putShort((short) 1).putShort((short) minor);
    header.putInt((int) crc(header.array(), 0, 12));
    out.writeBytes(header.array());
    while (in.remaining() >= RECORD_HEADER) {
      byte[] tag = new byte[4];
      in.get(tag);
      int flags = Byte.toUnsignedInt(in.get());
      int length = (int) Math.min(Integer.toUnsignedLong(in.getInt()), in.remaining());
      byte[] section = new byte[16 + length + 4];
      ByteBuffer framed = ByteBuffer.wrap(section).order(ByteOrder.LITTLE_ENDIAN);
      framed.put(tag).putInt(flags).putLong(length);
      in.get(section, 16, length);
      framed.putInt(16 + length, (int) crc(section, 0, 16 + length));
      out.writeBytes(section);
    }
    return out.toByteArray();
  }

  /** The input that {@link #frame} turns into {@code file}, for a well-framed model file. */
  static byte[] unframe(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(2 + file.length - 16).order(ByteOrder.LITTLE_ENDIAN);
    out.putShort(in.getShort(10));
    in.position(16);
    while (in.hasRemaining()) {
      byte[] tag = new byte[4];
      in.get(tag);
      int flags = in.getInt();
      int length = (int) in.getLong();
      out.put(tag).put((byte) flags).putInt(length);
      out.put(file, in.position(), length);
      in.position(in.position() + length + 4);
    }
    // Each section's 20 bytes of framing became 9 bytes of record header.
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  private static long crc(byte[] bytes, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }
}
