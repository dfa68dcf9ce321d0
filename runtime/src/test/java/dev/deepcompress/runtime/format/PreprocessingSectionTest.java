package dev.deepcompress.runtime.format;

import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.assertMessage;
import static dev.deepcompress.runtime.format.ModelFileCorruptionTest.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Preprocessing.Layout;
import dev.deepcompress.runtime.model.RandomModels;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PREP section (docs/model-format.md §3.4): written, read back, and every rule enforced. */
class PreprocessingSectionTest {
  private static final String SOURCE = ModelFileCorruptionTest.SOURCE;

  /** A 2-channel 3×3 image into a fully connected layer, with per-channel standardisation. */
  private static Model imageModel() {
    Architecture architecture =
        new Architecture(
            "image", Shape.of(2, 3, 3), List.of(new LayerSpec.FullyConnected("fc", 18, 2)));
    float[] weight = new float[36];
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (i % 7) * 0.25f - 0.5f;
    }
    return new Model(
            architecture,
            Map.of("fc.weight", weight, "fc.bias", new float[] {0.5f, -0.5f}),
            Map.of("dataset", "test"))
        .withPreprocessing(
            Preprocessing.of(
                Layout.CHANNELS_FIRST,
                1f / 255,
                new float[] {0.485f, 0.456f},
                new float[] {0.229f, 0.224f}));
  }

  private static final byte[] IMAGE = ModelFile.toBytes(imageModel());

  private static int minorVersion(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getShort(10);
  }

  @Test
  void recordedPreprocessingMakesVersionOnePointTwoAndReadsBack() throws IOException {
    assertEquals(2, minorVersion(IMAGE));
    assertEquals(
        List.of("ARCH", "PREP", "META", "TENS", "TENS", "END "), SectionedFile.parse(IMAGE).tags());
    Model read = ModelFile.fromBytes(IMAGE, SOURCE);
    ModelFileRoundTripTest.assertSameModel(imageModel(), read);
    assertEquals(imageModel().preprocessing(), read.preprocessing());
  }

  @Test
  void withoutPreprocessingTheFileKeepsItsOlderVersionAndHasNoPrep() throws IOException {
    Model plain = ModelFileRoundTripTest.tinyModel(Map.of());
    byte[] bytes = ModelFile.toBytes(plain);
    assertEquals(0, minorVersion(bytes));
    assertTrue(ModelFile.fromBytes(bytes, SOURCE).preprocessing().isEmpty());
    assertEquals(1, minorVersion(ModelFile.toBytes(SpecExamplesTest.sparseModel())));
  }

  @Test
  void randomPreprocessingRoundTripsOnRandomModels() throws IOException {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      Architecture architecture =
          random.nextBoolean()
              ? RandomModels.architecture(random)
              : RandomModels.convolutional(random);
      Model model = RandomModels.model(architecture, random);
      Model recorded = model.withPreprocessing(randomPreprocessing(architecture, random));
      Model read = ModelFile.fromBytes(ModelFile.toBytes(recorded), SOURCE);
      ModelFileRoundTripTest.assertSameModel(recorded, read);
      assertEquals(recorded.preprocessing(), read.preprocessing());
    }
  }

  private static Preprocessing randomPreprocessing(Architecture architecture, Random random) {
    Shape input = architecture.inputShape();
    Layout layout = input.rank() == 3 && random.nextBoolean() ? Layout.CHANNELS_FIRST : Layout.FLAT;
    int channels =
        random.nextBoolean() ? 1 : layout == Layout.FLAT ? input.elementCount() : input.dim(0);
    float[] mean = new float[channels];
    float[] std = new float[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = (float) random.nextGaussian();
      std[c] = (float) Math.exp(random.nextGaussian());
    }
    return Preprocessing.of(layout, (float) Math.exp(random.nextGaussian() * 4), mean, std);
  }

  @Test
  void everyTruncationAndBitFlipOfAFileWithPrepIsRejected() {
    for (int length = 0; length < IMAGE.length; length++) {
      rejects(Arrays.copyOf(IMAGE, length));
    }
    SectionedFile file = SectionedFile.parse(IMAGE);
    int from = file.offsetOf(file.indexOf("PREP"));
    int to = file.offsetOf(file.indexOf("META"));
    for (int i = from; i < to; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] corrupt = IMAGE.clone();
        corrupt[i] ^= (byte) (1 << bit);
        rejects(corrupt);
      }
    }
  }

  /** A PREP payload: layout, scale, count, then the given mean and std values. */
  private static byte[] payload(int layout, float scale, long count, float[] mean, float[] std) {
    ByteBuffer out =
        ByteBuffer.allocate(9 + 4 * (mean.length + std.length)).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) layout).putFloat(scale).putInt((int) count);
    for (float m : mean) {
      out.putFloat(m);
    }
    for (float s : std) {
      out.putFloat(s);
    }
    return out.array();
  }

  /** The image file with the PREP payload replaced (CRC repaired), expected to be rejected. */
  private static ModelFormatException rejectsPayload(byte[] payload) {
    SectionedFile file = SectionedFile.parse(IMAGE);
    int prep = file.indexOf("PREP");
    ModelFormatException e = rejects(file.replace(prep, payload).toBytes());
    assertMessage(e, "section PREP at byte");
    int payloadStart = file.offsetOf(prep) + 16;
    assertTrue(
        e.offset() >= payloadStart && e.offset() <= payloadStart + payload.length, e.getMessage());
    return e;
  }

  @Test
  void invalidPayloadsAreRejectedNamingWhatIsWrong() {
    float[] two = {0.5f, 0.5f};
    float[] ones = {1f, 1f};
    assertMessage(rejectsPayload(payload(0, 1f, 2, two, ones)), "unknown input layout 0");
    assertMessage(rejectsPayload(payload(3, 1f, 2, two, ones)), "unknown input layout 3");
    assertMessage(
        rejectsPayload(payload(2, Float.NaN, 2, two, ones)),
        "input scale must be finite and above 0, got NaN");
    assertMessage(
        rejectsPayload(payload(2, Float.POSITIVE_INFINITY, 2, two, ones)),
        "input scale must be finite and above 0, got Infinity");
    assertMessage(
        rejectsPayload(payload(2, 0f, 2, two, ones)),
        "input scale must be finite and above 0, got 0.0");
    assertMessage(
        rejectsPayload(payload(2, -0.5f, 2, two, ones)),
        "input scale must be finite and above 0, got -0.5");
    assertMessage(
        rejectsPayload(payload(2, 1f, 2, new float[] {0f, Float.NaN}, ones)),
        "input mean must be finite, got NaN (value 2 of 2)");
    assertMessage(
        rejectsPayload(payload(2, 1f, 2, two, new float[] {0f, 1f})),
        "input std must be finite and above 0, got 0.0 (value 1 of 2)");
    assertMessage(
        rejectsPayload(payload(2, 1f, 2, two, new float[] {1f, Float.NEGATIVE_INFINITY})),
        "input std must be finite and above 0, got -Infinity (value 2 of 2)");
    assertMessage(
        rejectsPayload(payload(2, 1f, 2, two, new float[] {1f, -1f})),
        "input std must be finite and above 0, got -1.0 (value 2 of 2)");
    assertMessage(
        rejectsPayload(payload(2, 1f, 0, new float[0], new float[0])),
        "mean and std count 0 is impossible");
    assertMessage(
        rejectsPayload(payload(2, 1f, 0xFFFF_FFFFL, two, ones)),
        "mean and std count 4294967295 is impossible: it must be at least 1 and the remaining 16"
            + " bytes hold at most 2");
    assertMessage(
        rejectsPayload(payload(2, 1f, 3, new float[] {0, 0, 0}, new float[] {1, 1, 1})),
        "has 3 mean and std values, but a channels-first image of shape 2×3×3 has 2 channels");
    assertMessage(
        rejectsPayload(payload(1, 1f, 2, two, ones)),
        "a flat vector of shape 2×3×3 has 18 features: give one value or 18");
    byte[] trailing = Arrays.copyOf(payload(2, 1f, 2, two, ones), 26);
    assertMessage(rejectsPayload(trailing), "1 unexpected bytes after the end of the payload");
    byte[] shortStd = Arrays.copyOf(payload(2, 1f, 2, two, ones), 24);
    assertMessage(
        rejectsPayload(shortStd),
        "mean and std count 2 is impossible: it must be at least 1 and the remaining 15 bytes"
            + " hold at most 1");
    assertMessage(rejectsPayload(new byte[0]), "input layout needs 1 bytes but only 0 remain");
  }

  @Test
  void channelsFirstNeedsAnImageInput() {
    Model flat = ModelFileRoundTripTest.tinyModel(Map.of());
    SectionedFile file = SectionedFile.parse(ModelFile.toBytes(flat));
    List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
    sections.add(
        1,
        new SectionedFile.Section(
            "PREP", 0, payload(2, 1f, 1, new float[] {0f}, new float[] {1f})));
    ModelFormatException e =
        rejects(new SectionedFile(file.header(), sections).withConsistentEnd().toBytes());
    assertMessage(
        e, "channels-first input preprocessing needs a C×H×W input, but the input shape is 2");
  }

  @Test
  void prepIsRequiredUniqueAndComesBeforeMetaAndTensors() {
    SectionedFile file = SectionedFile.parse(IMAGE);
    int prep = file.indexOf("PREP");
    SectionedFile.Section section = file.sections().get(prep);

    List<SectionedFile.Section> optional = new ArrayList<>(file.sections());
    optional.set(prep, new SectionedFile.Section("PREP", 1, section.payload()));
    assertMessage(
        rejects(new SectionedFile(file.header(), optional).toBytes()),
        "this section must not be flagged optional");

    assertMessage(rejects(withPrepAt(file, prep + 1, true)), "duplicate PREP section");
    assertMessage(
        rejects(withPrepAt(file, file.indexOf("META") + 1, false)),
        "PREP must come before META and the tensors");
    assertMessage(
        rejects(withPrepAt(file, file.indexOf("END "), false)),
        "PREP must come before META and the tensors");
    assertMessage(
        rejects(withPrepAt(file, 0, false)), "this section must come after the ARCH section");
  }

  /** The file with its PREP section moved to {@code index} (or a copy inserted there). */
  private static byte[] withPrepAt(SectionedFile file, int index, boolean keepOriginal) {
    List<SectionedFile.Section> sections = new ArrayList<>(file.sections());
    SectionedFile.Section prep = sections.get(file.indexOf("PREP"));
    if (!keepOriginal) {
      sections.remove(prep);
      index--;
    }
    sections.add(Math.max(0, index), prep);
    return new SectionedFile(file.header(), sections).withConsistentEnd().toBytes();
  }
}
