package dev.deepcompress.datasets.idx;

import dev.deepcompress.datasets.DatasetException;
import java.nio.file.Path;

/** An IDX file is malformed; names the file and the byte offset of the problem. */
public class IdxFormatException extends DatasetException {
  private final Path file;
  private final long offset;
  private final boolean decompressed;

  /**
   * @param decompressed whether {@code offset} counts bytes of the decompressed content of a gzip
   *     file rather than bytes of the file itself
   */
  IdxFormatException(Path file, long offset, boolean decompressed, String problem) {
    super(
        file
            + ": "
            + (decompressed ? "decompressed byte offset " : "byte offset ")
            + offset
            + ": "
            + problem);
    this.file = file;
    this.offset = offset;
    this.decompressed = decompressed;
  }

  IdxFormatException(
      Path file, long offset, boolean decompressed, String problem, Throwable cause) {
    this(file, offset, decompressed, problem);
    initCause(cause);
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }

  /** Whether {@link #offset()} counts bytes of a gzip file's decompressed content. */
  public boolean decompressed() {
    return decompressed;
  }
}
