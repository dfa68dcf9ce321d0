package dev.deepcompress.runtime.format;

/**
 * How a TENS section stores its values. The id is what the file holds; never reuse or renumber one.
 * Adding an encoding means a constant here and a case in {@link TensorCodec}.
 */
enum TensorEncoding {
  /** Row-major little-endian IEEE 754 binary32, one per element. */
  DENSE_FP32(0);

  final int id;

  TensorEncoding(int id) {
    this.id = id;
  }

  /** The encoding with this id, or null if this reader does not know it. */
  static TensorEncoding byId(int id) {
    for (TensorEncoding encoding : values()) {
      if (encoding.id == id) {
        return encoding;
      }
    }
    return null;
  }

  /** The ids this reader knows, for error messages, e.g. {@code 0 (DENSE_FP32)}. */
  static String known() {
    StringBuilder text = new StringBuilder();
    for (TensorEncoding encoding : values()) {
      text.append(text.isEmpty() ? "" : ", ")
          .append(encoding.id)
          .append(" (")
          .append(encoding)
          .append(')');
    }
    return text.toString();
  }
}
