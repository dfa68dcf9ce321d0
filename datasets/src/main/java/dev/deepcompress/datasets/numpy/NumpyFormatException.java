package dev.deepcompress.datasets.numpy;

import dev.deepcompress.datasets.DatasetException;

/** A NumPy file that cannot be used: malformed, truncated, or holding what this reader refuses. */
public final class NumpyFormatException extends DatasetException {
  private final String source;

  /**
   * @param source the file, or the array inside an {@code .npz} ({@code data.npz:x.npy})
   * @param problem what is wrong, and where if it lies at a byte offset
   */
  NumpyFormatException(String source, String problem) {
    super(source + ": " + problem);
    this.source = source;
  }

  NumpyFormatException(String source, String problem, Throwable cause) {
    this(source, problem);
    initCause(cause);
  }

  /** The file, or the array inside an {@code .npz}. */
  public String source() {
    return source;
  }
}
