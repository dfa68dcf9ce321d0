package dev.deepcompress.runtime.model;

import java.util.regex.Pattern;

/** Layer and tensor names: short, printable and safe to embed in file sections and reports. */
final class Names {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  private Names() {}

  static void requireValid(String name) {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid layer name '"
              + name
              + "': use 1-64 of [A-Za-z0-9_.-], not starting with . or -");
    }
  }
}
