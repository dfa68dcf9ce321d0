package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Levels;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Reads the byte listings of the examples in docs/model-format.md §11 as printed, checks every
 * printed length and CRC32C against the bytes printed before it, and compares each whole listing
 * with what the writer produces for the model the text describes, so the document cannot drift from
 * the format.
 */
class SpecExamplesTest {
  private static final Pattern HEX_BYTE = Pattern.compile("[0-9A-F]{2}");
  private static final Pattern FILE_SIZE = Pattern.compile("is (\\d+) bytes");

  /** One labelled group of a listing: the header, or one section from tag to CRC. */
  record Unit(String label, byte[] bytes) {}

  /** One example: its heading, the size the text states, and the listing's units. */
  record Example(String heading, int statedBytes, List<Unit> units) {
    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      units.forEach(unit -> out.writeBytes(unit.bytes()));
      return out.toByteArray();
    }
  }

  @Test
  void everyPrintedLengthAndChecksumMatchesThePrintedBytes() throws IOException {
    List<Example> examples = examples();
    assertEquals(4, examples.size(), "examples found in §11");
    List<String> wrong = new ArrayList<>();
    for (Example example : examples) {
      for (Unit unit : example.units()) {
        byte[] b = unit.bytes();
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int crcAt = b.length - 4;
        if (unit.label().equals("header")) {
          assertEquals(16, b.length, example.heading() + ": header length");
        } else {
          String tag = new String(b, 0, 4, StandardCharsets.US_ASCII);
          assertEquals(unit.label(), tag.strip(), example.heading() + ": tag of " + unit.label());
          long declared = in.getLong(8);
          if (declared != b.length - 20) {
            wrong.add(
                example.heading()
                    + " "
                    + unit.label()
                    + ": prints payload length "
                    + declared
                    + " but "
                    + (b.length - 20)
                    + " payload bytes");
          }
        }
        long printed = Integer.toUnsignedLong(in.getInt(crcAt));
        long computed = SectionedFile.crc(b, 0, crcAt);
        if (printed != computed) {
          wrong.add(
              String.format(
                  "%s %s: prints CRC32C %s but its bytes give %s",
                  example.heading(),
                  unit.label(),
                  HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b, crcAt, b.length),
                  HexFormat.ofDelimiter(" ")
                      .withUpperCase()
                      .formatHex(
                          ByteBuffer.allocate(4)
                              .order(ByteOrder.LITTLE_ENDIAN)
                              .putInt((int) computed)
                              .array())));
        }
      }
      assertEquals(
          example.statedBytes(), example.bytes().length, example.heading() + ": stated size");
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void everyListingIsWhatTheWriterProducesForTheModelDescribed() throws IOException {
    Map<String, Model> described = new LinkedHashMap<>();
    described.put("11.1", ModelFileRoundTripTest.tinyModel(Map.of("k", "v")));
    described.put("11.2", sparseModel());
    described.put(
        "11.3",
        ModelFileRoundTripTest.tinyModel(Map.of("k", "v"))
            .withPreprocessing(
                Preprocessing.of(
                    Preprocessing.Layout.FLAT,
                    0.00390625f,
                    new float[] {0.5f, 0.25f},
                    new float[] {0.25f, 0.5f})));
    described.put("11.4", quantizedModel());
    List<Example> examples = examples();
    assertEquals(
        described.keySet(),
        examples.stream().map(e -> e.heading().substring(0, 4)).collect(Collectors.toSet()));
    for (Example example : examples) {
      Model model = described.get(example.heading().substring(0, 4));
      byte[] printed = example.bytes();
      assertArrayEquals(ModelFile.toBytes(model), printed, example.heading());
      ModelFileRoundTripTest.assertSameModel(model, ModelFile.fromBytes(printed, "example"));
    }
  }

  /** The model of §11.4: affine per-channel weights, a powers-of-two bias stored whole. */
  static Model quantizedModel() {
    Architecture architecture =
        new Architecture("affine", Shape.of(4), List.of(new LayerSpec.FullyConnected("fc", 4, 2)));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put(
        "fc.weight",
        new QuantizedTensor(
            Shape.of(2, 4),
            new Levels.Affine(
                2, 4, 4, new float[] {0.5f, 0.75f}, Levels.ZeroPoints.SHARED, new int[] {2}),
            new int[] {0, 2, 5, 7},
            new byte[] {3, 1, 3, 1},
            2,
            2));
    tensors.put(
        "fc.bias",
        QuantizedTensor.dense(
            Shape.of(2), new Levels.PowersOfTwo(2, -1, false), new byte[] {1, 2}, 2));
    Model model = Model.ofTensors(architecture, tensors, Map.of());
    assertArrayEquals(
        new float[] {0.5f, 0, -0.5f, 0, 0, 0.75f, 0, -0.75f}, model.parameter("fc.weight"));
    assertArrayEquals(new float[] {0.5f, -0.5f}, model.parameter("fc.bias"));
    return model;
  }

  /** The model of §11.2. */
  static Model sparseModel() {
    Architecture architecture =
        new Architecture("sparse", Shape.of(5), List.of(new LayerSpec.FullyConnected("fc", 5, 2)));
    float[] weight = {0.5f, 0, 0, 0, 0, 0, 0, 0.5f, -1, 0.25f};
    return Model.ofTensors(
        architecture,
        Map.of(
            "fc.weight",
            SparseQuantizedTensor.fromDense(architecture.parameters().get(0), weight, 2, 2),
            "fc.bias",
            new DenseTensor(Shape.of(2), new float[] {0.25f, -0.5f})),
        Map.of());
  }

  /** Every subsection of §11 with a listing that starts with "header". */
  static List<Example> examples() throws IOException {
    String spec = Files.readString(specFile(), StandardCharsets.UTF_8);
    int start = spec.indexOf("\n## 11.");
    assertTrue(start >= 0, "§11 not found");
    int end = spec.indexOf("\n## ", start + 1);
    String examplesText = spec.substring(start, end < 0 ? spec.length() : end);
    List<Example> examples = new ArrayList<>();
    String[] subsections = examplesText.split("\n### ");
    for (int i = 1; i < subsections.length; i++) {
      String subsection = subsections[i];
      String heading = subsection.substring(0, subsection.indexOf('\n'));
      List<Unit> units = null;
      String[] blocks = subsection.split("```");
      // Odd pieces are inside code fences.
      for (int b = 1; b < blocks.length; b += 2) {
        String block = blocks[b].strip();
        if (block.startsWith("header")) {
          units = parseListing(heading, block);
        }
      }
      if (units == null) {
        continue;
      }
      Matcher size = FILE_SIZE.matcher(subsection);
      if (!size.find()) {
        fail(heading + ": no 'is N bytes' in the text");
      }
      examples.add(new Example(heading, Integer.parseInt(size.group(1)), units));
    }
    return examples;
  }

  /**
   * A line that does not start with a space opens a unit named by its first word. On every line,
   * two-digit upper-case hex numbers are bytes and quoted strings stand for their ASCII bytes; the
   * first other word starts a comment that runs to the end of the line.
   */
  private static List<Unit> parseListing(String heading, String listing) {
    List<Unit> units = new ArrayList<>();
    String label = null;
    ByteArrayOutputStream bytes = null;
    for (String line : listing.split("\n")) {
      String rest = line;
      if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
        if (label != null) {
          units.add(new Unit(label, bytes.toByteArray()));
        }
        int space = line.indexOf(' ');
        label = line.substring(0, space);
        rest = line.substring(space);
        bytes = new ByteArrayOutputStream();
      }
      if (label == null) {
        fail(heading + ": listing line before the first label: " + line);
      }
      int at = 0;
      while (true) {
        while (at < rest.length() && rest.charAt(at) == ' ') {
          at++;
        }
        if (at == rest.length()) {
          break;
        }
        if (rest.charAt(at) == '"') {
          int close = rest.indexOf('"', at + 1);
          bytes.writeBytes(rest.substring(at + 1, close).getBytes(StandardCharsets.US_ASCII));
          at = close + 1;
          continue;
        }
        int wordEnd = rest.indexOf(' ', at);
        String word = rest.substring(at, wordEnd < 0 ? rest.length() : wordEnd);
        if (!HEX_BYTE.matcher(word).matches()) {
          break;
        }
        bytes.write(Integer.parseInt(word, 16));
        at += word.length();
      }
    }
    units.add(new Unit(label, bytes.toByteArray()));
    return units;
  }

  /** The specification, from the module directory (Maven) or the repository root. */
  private static Path specFile() {
    for (Path candidate :
        List.of(Path.of("..", "docs", "model-format.md"), Path.of("docs", "model-format.md"))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return fail("docs/model-format.md not found from " + Path.of("").toAbsolutePath());
  }
}
