package dev.deepcompress.datasets.numpy;

import java.nio.ByteOrder;

/**
 * A simple NumPy dtype as an {@code .npy} header spells it ({@code '<f4'}, {@code '|u1'}): byte
 * order, kind and size in bytes.
 *
 * @param kind {@code b} boolean, {@code i} signed, {@code u} unsigned integer, {@code f} float,
 *     {@code c} complex, {@code O} Python object, and so on
 */
record NpyDtype(String descr, ByteOrder order, char kind, int itemSize) {

  /**
   * Parses {@code descr}, or returns null if it is not one byte-order character, a kind, a size.
   */
  static NpyDtype parse(String descr) {
    if (descr.length() < 3) {
      return null;
    }
    ByteOrder order =
        switch (descr.charAt(0)) {
          case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
          case '>' -> ByteOrder.BIG_ENDIAN;
          default -> null;
        };
    int size;
    try {
      size = Integer.parseInt(descr.substring(2));
    } catch (NumberFormatException e) {
      return null;
    }
    if (order == null || size < 1) {
      return null;
    }
    return new NpyDtype(descr, order, descr.charAt(1), size);
  }

  boolean isUint8() {
    return kind == 'u' && itemSize == 1;
  }

  boolean isFloat32() {
    return kind == 'f' && itemSize == 4;
  }

  boolean isInteger() {
    return (kind == 'i' || kind == 'u')
        && (itemSize == 1 || itemSize == 2 || itemSize == 4 || itemSize == 8);
  }

  /** The NumPy name, e.g. float64, for messages. */
  String name() {
    return switch (kind) {
      case 'b' -> "bool";
      case 'i' -> "int" + 8 * itemSize;
      case 'u' -> "uint" + 8 * itemSize;
      case 'f' -> "float" + 8 * itemSize;
      case 'c' -> "complex" + 8 * itemSize;
      case 'O' -> "object";
      case 'U' -> "unicode string";
      case 'S' -> "byte string";
      case 'M' -> "datetime";
      case 'm' -> "timedelta";
      default -> "kind '" + kind + "'";
    };
  }
}
