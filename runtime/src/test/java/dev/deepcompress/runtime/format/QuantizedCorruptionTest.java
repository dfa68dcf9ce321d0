package dev.deepcompress.runtime.format;

import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.assertMessage;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.rejects;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Damaged QUANTIZED tensors (encoding 2): each broken rule of docs/model-format.md §5.4 is a
 * ModelFormatException that names it, on the model of §11.4.
 */
class QuantizedCorruptionTest {
  private static final byte[] EXAMPLE = ModelFile.toBytes(SpecExamplesTest.quantizedModel());
  private static final int WEIGHT = 1;
  private static final int BIAS = 2;

  // Payload offsets: name, encoding, shape, then q, b, n, kind and the levels.
  private static final int WEIGHT_KIND = 11 + 1 + 9 + 6;
  private static final int BIAS_KIND = 9 + 1 + 5 + 6;

  /** The example with byte {@code at} of section {@code section}'s payload set to {@code value}. */
  private static byte[] patched(int section, int at, int... values) {
    SectionedFile file = SectionedFile.parse(EXAMPLE);
    byte[] payload = file.sections().get(section).payload().clone();
    for (int i = 0; i < values.length; i++) {
      payload[at + i] = (byte) values[i];
    }
    return file.replace(section, payload).toBytes();
  }

  @Test
  void theExampleReadsBack() throws IOException {
    ModelFile.fromBytes(EXAMPLE, "example");
  }

  @Test
  void everyBrokenRuleIsNamed() {
    String[][] cases = {
      {"w", "" + WEIGHT_KIND, "3", "unknown level kind 3"},
      {"w", "" + (WEIGHT_KIND + 5), "3", "zero point mode is not 0, 1 or 2"},
      {"w", "" + (WEIGHT_KIND + 1), "5", "group size 5 is outside [0, 4]"},
      {"w", "" + (WEIGHT_KIND + 14), "4", "zero point 4 is outside [0, 3]"},
      {"w", "" + (WEIGHT_KIND - 6), "9", "index bits 9 is outside [1, 8]"},
      {"w", "" + (WEIGHT_KIND - 5), "9", "gap bits 9 is outside [0, 8]"},
      {"b", "" + (BIAS_KIND - 4), "1", "stored count 1 with gap bits 0"},
      {"b", "" + (BIAS_KIND + 1), "3", "log base (1: 2, 2: √2) 3 is outside [1, 2]"},
      {"b", "" + (BIAS_KIND - 6), "1", "powers-of-two levels need at least 2 index bits"},
      // Index table lengths 0 0 1 1: the payload's second symbol becomes 3, which is not a level.
      {"b", "" + (BIAS_KIND + 6), "12", "index stream: symbol 1 is 3, not a level"},
    };
    for (String[] c : cases) {
      int section = c[0].equals("w") ? WEIGHT : BIAS;
      byte[] bytes = patched(section, Integer.parseInt(c[1]), Integer.parseInt(c[2]));
      assertMessage(rejects(bytes), c[3]);
    }
  }

  @Test
  void aScaleThatIsNotFiniteIsRejected() {
    byte[] nan = new byte[4];
    ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN);
    assertMessage(
        rejects(patched(WEIGHT, WEIGHT_KIND + 6, nan[0], nan[1], nan[2], nan[3])),
        "scale 0 is NaN");
  }

  @Test
  void everyTruncationIsRejected() {
    for (int length = 0; length < EXAMPLE.length; length++) {
      rejects(Arrays.copyOf(EXAMPLE, length));
    }
  }
}
