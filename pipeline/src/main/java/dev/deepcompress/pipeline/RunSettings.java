package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that decides what a stage computes, as {@code key: value} lines: a saved checkpoint is
 * continued only by a run whose settings give the same text. Values that are long or span lines (a
 * plan, the data) enter as their SHA-256, so the text stays short and a changed run can still be
 * told which setting changed.
 */
final class RunSettings {
  private static final int LONGEST_PLAIN_VALUE = 120;

  private final Map<String, String> values = new LinkedHashMap<>();

  /**
   * @throws IllegalArgumentException if the key is given twice or is not a plain word
   */
  RunSettings with(String key, Object value) {
    if (!key.matches("[a-z0-9_.]+")) {
      throw new IllegalArgumentException("settings key '" + key + "' is not a plain word");
    }
    String text = String.valueOf(value);
    if (text.length() > LONGEST_PLAIN_VALUE || text.contains("\n")) {
      text = "sha256:" + hex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }
    if (values.putIfAbsent(key, text) != null) {
      throw new IllegalArgumentException("settings key " + key + " given twice");
    }
    return this;
  }

  /** One {@code key: value} line per setting, in the order given. */
  String text() {
    StringBuilder text = new StringBuilder();
    values.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
    return text.toString();
  }

  /**
   * What differs between {@code saved}, the text of another run's settings, and these: one {@code
   * key: old → new} (or {@code key: new}, {@code key: no longer set}) per difference.
   */
  List<String> changesFrom(String saved) {
    Map<String, String> before = new LinkedHashMap<>();
    for (String line : saved.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        before.put(line.substring(0, colon), line.substring(colon + 2));
      }
    }
    List<String> changes = new ArrayList<>();
    values.forEach(
        (key, value) -> {
          String old = before.remove(key);
          if (old == null) {
            changes.add(key + ": " + value);
          } else if (!old.equals(value)) {
            changes.add(key + ": " + shortened(old) + " → " + shortened(value));
          }
        });
    before.keySet().forEach(key -> changes.add(key + ": no longer set"));
    return changes;
  }

  private static String shortened(String value) {
    return value.startsWith("sha256:") ? value.substring(0, 19) + "…" : value;
  }

  /**
   * The SHA-256 of every sample, label and preparation of the data's splits: the identity of the
   * data, whatever it was read from.
   */
  static String digest(DatasetSplits data) {
    MessageDigest digest = sha256();
    for (SampleSet set : List.of(data.train(), data.validation(), data.test())) {
      String form =
          set.count()
              + " of "
              + set.sampleShape()
              + " "
              + set.elementType()
              + ", "
              + set.preprocessing().map(p -> p.describe()).orElse("as stored")
              + "\n";
      digest.update(form.getBytes(StandardCharsets.UTF_8));
      digest.update(ints(set.labels()));
      if (set.elementType() == SampleSet.ElementType.UINT8) {
        digest.update(set.byteValues());
      } else {
        float[] values = set.floatValues();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i += chunk.capacity() / 4) {
          chunk.clear();
          chunk.asFloatBuffer().put(values, i, Math.min(chunk.capacity() / 4, values.length - i));
          digest.update(chunk.array(), 0, 4 * Math.min(chunk.capacity() / 4, values.length - i));
        }
      }
    }
    return hex(digest.digest());
  }

  private static byte[] ints(int[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asIntBuffer().put(values);
    return bytes.array();
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
