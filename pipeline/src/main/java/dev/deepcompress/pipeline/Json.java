package dev.deepcompress.pipeline;

import java.util.List;
import java.util.Map;

/** A minimal JSON writer for reports: maps, lists, strings, numbers, booleans and null. */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0);
    return out.append('\n').toString();
  }

  private static void write(Object value, StringBuilder out, int depth) {
    switch (value) {
      case null -> out.append("null");
      case String s -> string(s, out);
      case Boolean b -> out.append(b);
      case Double d -> number(d, out);
      case Float f -> number(f.doubleValue(), out);
      case Number n -> out.append(n.longValue());
      case Map<?, ?> map -> {
        out.append('{');
        int i = 0;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          out.append(i++ == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
          string(String.valueOf(entry.getKey()), out);
          out.append(": ");
          write(entry.getValue(), out, depth + 1);
        }
        out.append(map.isEmpty() ? "" : "\n" + "  ".repeat(depth)).append('}');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
          write(list.get(i), out, depth + 1);
        }
        out.append(list.isEmpty() ? "" : "\n" + "  ".repeat(depth)).append(']');
      }
      default ->
          throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
    }
  }

  private static void number(double d, StringBuilder out) {
    if (!Double.isFinite(d)) {
      out.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d);
    } else {
      out.append(d);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
