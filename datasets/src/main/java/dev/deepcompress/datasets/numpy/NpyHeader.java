package dev.deepcompress.datasets.numpy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of an {@code .npy} file, e.g. {@code {'descr': '<f4', 'fortran_order':
 * False, 'shape': (60000, 784), }}: a Python literal with exactly these three keys. Parsed by a
 * small recursive-descent reader that accepts only strings, booleans, integers and tuples of
 * integers, so nothing in a header is ever evaluated.
 *
 * @param descr the dtype as written, e.g. {@code <f4}; a structured dtype (a list) is refused while
 *     parsing
 * @param shape every dimension, each at least 0
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

  /** Parses the header text; a problem carries its character position within the text. */
  static NpyHeader parse(String text) throws HeaderException {
    Parser parser = new Parser(text);
    Map<String, Object> entries = parser.dictionary();
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw parser.error("unexpected text after the dictionary");
    }
    for (String required : List.of("descr", "fortran_order", "shape")) {
      if (!entries.containsKey(required)) {
        throw new HeaderException("the header has no '" + required + "' entry", 0);
      }
    }
    if (entries.size() != 3) {
      List<String> extra = new ArrayList<>(entries.keySet());
      extra.removeAll(List.of("descr", "fortran_order", "shape"));
      throw new HeaderException("the header has unexpected entries " + extra, 0);
    }
    if (!(entries.get("descr") instanceof String descr)) {
      throw new HeaderException(
          "'descr' is not a string: a structured dtype, which this reader does not support", 0);
    }
    if (!(entries.get("fortran_order") instanceof Boolean fortran)) {
      throw new HeaderException("'fortran_order' is not True or False", 0);
    }
    if (!(entries.get("shape") instanceof long[] shape)) {
      throw new HeaderException("'shape' is not a tuple of integers", 0);
    }
    return new NpyHeader(descr, fortran, shape);
  }

  /** A malformed header, at a character position within the header text. */
  static final class HeaderException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int position;

    HeaderException(String message, int position) {
      super(message);
      this.position = position;
    }

    int position() {
      return position;
    }
  }

  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    HeaderException error(String message) {
      return new HeaderException(message, at);
    }

    boolean atEnd() {
      return at == text.length();
    }

    void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    /** Skips spaces; true (and consumed) if the next character is {@code c}. */
    boolean take(char c) {
      skipSpace();
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    void expect(char c) throws HeaderException {
      if (!take(c)) {
        throw error("expected '" + c + "'");
      }
    }

    Map<String, Object> dictionary() throws HeaderException {
      expect('{');
      Map<String, Object> entries = new LinkedHashMap<>();
      while (!take('}')) {
        skipSpace();
        int keyAt = at;
        String key = string();
        expect(':');
        Object value = value();
        if (entries.put(key, value) != null) {
          at = keyAt;
          throw error("the key '" + key + "' appears twice");
        }
        if (!take(',')) {
          expect('}');
          break;
        }
      }
      return entries;
    }

    Object value() throws HeaderException {
      skipSpace();
      if (atEnd()) {
        throw error("the header ends where a value should be");
      }
      char c = text.charAt(at);
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (text.startsWith("True", at)) {
        at += 4;
        return Boolean.TRUE;
      }
      if (text.startsWith("False", at)) {
        at += 5;
        return Boolean.FALSE;
      }
      if (c == '[') {
        throw error("a list (a structured dtype?) is not supported");
      }
      throw error("expected a string, a tuple, True or False");
    }

    /** A quoted string without escapes (dtype names and keys have none). */
    String string() throws HeaderException {
      skipSpace();
      char quote = atEnd() ? 0 : text.charAt(at);
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted string");
      }
      int end = text.indexOf(quote, at + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String value = text.substring(at + 1, end);
      if (value.indexOf('\\') >= 0) {
        throw error("escapes in strings are not supported");
      }
      at = end + 1;
      return value;
    }

    /** {@code ()}, {@code (n,)} or {@code (n, m, …)} with an optional trailing comma. */
    long[] tuple() throws HeaderException {
      expect('(');
      List<Long> values = new ArrayList<>();
      while (!take(')')) {
        values.add(integer());
        if (!take(',')) {
          expect(')');
          break;
        }
      }
      long[] dims = new long[values.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = values.get(i);
      }
      return dims;
    }

    /** A non-negative decimal integer, optionally with Python 2's {@code L} suffix. */
    long integer() throws HeaderException {
      skipSpace();
      int start = at;
      while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
        at++;
      }
      if (at == start) {
        throw error("expected a non-negative integer");
      }
      long value;
      try {
        value = Long.parseLong(text.substring(start, at));
      } catch (NumberFormatException e) {
        at = start;
        throw error("integer too large");
      }
      if (at < text.length() && text.charAt(at) == 'L') {
        at++;
      }
      return value;
    }
  }
}
