package dev.deepcompress.pipeline;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A stage's progress as named values, the form in which stages hand their state to {@link
 * Checkpoints} without knowing how or where it is kept. A value is a whole number, a number, a
 * text, or an array of fp32 values, ints or doubles; names are 1–255 printable ASCII characters,
 * and a {@code /} groups them ({@code momentum/ip1.weight}). Arrays are stored, not copied: a stage
 * puts in copies it no longer changes.
 *
 * <p>Reading a value that is missing or of another kind throws {@link IllegalArgumentException}
 * naming it: a saved checkpoint is read with the care of any input.
 */
final class Checkpoint {
  /** Longest name, in bytes, so that a name's length fits the file's one-byte field. */
  static final int MAX_NAME_LENGTH = 255;

  private final SortedMap<String, Object> values = new TreeMap<>();

  Checkpoint putLong(String name, long value) {
    return put(name, value);
  }

  Checkpoint putDouble(String name, double value) {
    return put(name, value);
  }

  Checkpoint putString(String name, String value) {
    return put(name, Objects.requireNonNull(value, name));
  }

  Checkpoint putFloats(String name, float[] values) {
    return put(name, Objects.requireNonNull(values, name));
  }

  Checkpoint putInts(String name, int[] values) {
    return put(name, Objects.requireNonNull(values, name));
  }

  Checkpoint putDoubles(String name, double[] values) {
    return put(name, Objects.requireNonNull(values, name));
  }

  private Checkpoint put(String name, Object value) {
    requireValidName(name);
    if (values.putIfAbsent(name, value) != null) {
      throw new IllegalArgumentException("checkpoint value " + name + " is given twice");
    }
    return this;
  }

  static void requireValidName(String name) {
    boolean printable = !name.isEmpty() && name.length() <= MAX_NAME_LENGTH;
    for (int i = 0; printable && i < name.length(); i++) {
      printable = name.charAt(i) > ' ' && name.charAt(i) < 0x7f;
    }
    if (!printable) {
      throw new IllegalArgumentException(
          "checkpoint value names are 1-" + MAX_NAME_LENGTH + " printable ASCII characters");
    }
  }

  long getLong(String name) {
    return get(name, Long.class, "a whole number");
  }

  /** A whole number from {@code min} to {@code max}. */
  int getInt(String name, int min, int max) {
    long value = getLong(name);
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "checkpoint value " + name + " is " + value + ", not within " + min + ".." + max);
    }
    return (int) value;
  }

  double getDouble(String name) {
    return get(name, Double.class, "a number");
  }

  String getString(String name) {
    return get(name, String.class, "a text");
  }

  float[] getFloats(String name) {
    return get(name, float[].class, "an fp32 array");
  }

  int[] getInts(String name) {
    return get(name, int[].class, "an int array");
  }

  double[] getDoubles(String name) {
    return get(name, double[].class, "a double array");
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  private <T> T get(String name, Class<T> kind, String what) {
    Object value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("checkpoint has no value " + name);
    }
    if (!kind.isInstance(value)) {
      throw new IllegalArgumentException("checkpoint value " + name + " is not " + what);
    }
    return kind.cast(value);
  }

  /**
   * The distinct parts that follow {@code prefix} up to the next {@code /}, in name order: the
   * tensor names under {@code momentum/}, say.
   */
  Set<String> keysUnder(String prefix) {
    Set<String> keys = new LinkedHashSet<>();
    for (String name : values.tailMap(prefix).keySet()) {
      if (!name.startsWith(prefix)) {
        break;
      }
      int end = name.indexOf('/', prefix.length());
      keys.add(end < 0 ? name.substring(prefix.length()) : name.substring(prefix.length(), end));
    }
    return keys;
  }

  /** Every value by name, in name order (the order a file stores them in). */
  Map<String, Object> values() {
    return Collections.unmodifiableSortedMap(values);
  }
}
