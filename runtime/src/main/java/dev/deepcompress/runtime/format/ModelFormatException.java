package dev.deepcompress.runtime.format;

import java.io.IOException;
import java.util.Optional;

/**
 * A model file that cannot be read: wrong magic, unsupported version, corrupt or truncated data, or
 * content that contradicts its own architecture. Says where: the file, the section (if the problem
 * lies inside one) and the absolute byte offset at which the problem was found.
 */
public final class ModelFormatException extends IOException {
  private final String source;
  private final String section;
  private final long offset;

  /**
   * @param source the file (or other origin) being read
   * @param section the section, e.g. {@code ARCH} or {@code TENS 'fc1.weight'}; null for the file
   *     header and for problems between sections
   * @param offset absolute byte offset from the start of the file
   * @param detail what is wrong
   */
  public ModelFormatException(String source, String section, long offset, String detail) {
    super(
        section == null
            ? source + " at byte " + offset + ": " + detail
            : source + ": section " + section + " at byte " + offset + ": " + detail);
    this.source = source;
    this.section = section;
    this.offset = offset;
  }

  public String source() {
    return source;
  }

  public Optional<String> section() {
    return Optional.ofNullable(section);
  }

  public long offset() {
    return offset;
  }
}
