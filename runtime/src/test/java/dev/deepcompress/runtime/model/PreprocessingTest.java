package dev.deepcompress.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.model.Preprocessing.Layout;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
  private static final float[] ZERO = {0f};
  private static final float[] ONE = {1f};

  @Test
  void pixelsOver256AreExactlyTheDivisionTheLeNetsWereTrainedWith() {
    Preprocessing lenet = Preprocessing.scaled(Layout.CHANNELS_FIRST, 1f / 256);
    byte[] pixels = new byte[256];
    float[] asFloats = new float[256];
    for (int v = 0; v < 256; v++) {
      pixels[v] = (byte) v;
      asFloats[v] = v;
    }
    float[] fromBytes = new float[256];
    float[] fromFloats = new float[256];
    lenet.apply(pixels, 0, fromBytes, 0, 256);
    lenet.apply(asFloats, 0, fromFloats, 0, 256);
    for (int v = 0; v < 256; v++) {
      assertEquals(Float.floatToRawIntBits(v / 256f), Float.floatToRawIntBits(fromBytes[v]));
      assertEquals(Float.floatToRawIntBits(v / 256f), Float.floatToRawIntBits(fromFloats[v]));
    }
  }

  @Test
  void channelsFirstStandardisesEachPlaneWithItsOwnMeanAndStd() {
    // Two channels of 2×2: elements 0-3 are channel 0, 4-7 channel 1.
    Preprocessing p =
        Preprocessing.of(
            Layout.CHANNELS_FIRST, 0.5f, new float[] {1f, -2f}, new float[] {2f, 0.25f});
    p.checkInputShape(Shape.of(2, 2, 2));
    float[] raw = {0, 2, 4, 6, 0, 2, 4, 6, 99};
    float[] out = new float[10];
    p.apply(raw, 0, out, 1, 8);
    assertArrayEquals(new float[] {0, -0.5f, 0, 0.5f, 1, 8, 12, 16, 20, 0}, out);
  }

  @Test
  void flatLayoutStandardisesEachFeature() {
    Preprocessing p =
        Preprocessing.of(Layout.FLAT, 1f, new float[] {1f, 2f, 3f}, new float[] {1f, 2f, 4f});
    p.checkInputShape(Shape.of(3));
    float[] out = new float[3];
    p.apply(new byte[] {5, 4, 3, 2, 1}, 2, out, 0, 3);
    assertArrayEquals(new float[] {2f, 0f, -0.5f}, out);
  }

  /** The general path computes (x × scale − mean) / std in fp32, rounding after each operation. */
  @Test
  void theGeneralPathRoundsLikeTheSpecifiedFormula() {
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      float scale = (float) Math.exp(random.nextGaussian() * 3);
      float mean = (float) random.nextGaussian();
      float std = (float) Math.exp(random.nextGaussian());
      Preprocessing p = Preprocessing.of(Layout.FLAT, scale, new float[] {mean}, new float[] {std});
      float[] raw = new float[16];
      byte[] rawBytes = new byte[16];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = (float) (random.nextGaussian() * 100);
        rawBytes[i] = (byte) random.nextInt(256);
      }
      float[] out = new float[16];
      float[] outBytes = new float[16];
      p.apply(raw, 0, out, 0, 16);
      p.apply(rawBytes, 0, outBytes, 0, 16);
      for (int i = 0; i < raw.length; i++) {
        float product = raw[i] * scale;
        float difference = product - mean;
        assertEquals(difference / std, out[i]);
        float fromByte = Byte.toUnsignedInt(rawBytes[i]) * scale;
        float byteDifference = fromByte - mean;
        assertEquals(byteDifference / std, outBytes[i]);
      }
    }
  }

  @Test
  void oneMeanOrStdIsRepeatedForEveryChannel() {
    Preprocessing p =
        Preprocessing.of(Layout.CHANNELS_FIRST, 1f, new float[] {0.5f}, new float[] {1, 2, 4});
    assertEquals(3, p.channelValues());
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, p.mean());
    assertArrayEquals(new float[] {1, 2, 4}, p.std());
    assertEquals(
        p,
        Preprocessing.of(
            Layout.CHANNELS_FIRST, 1f, new float[] {0.5f, 0.5f, 0.5f}, new float[] {1, 2, 4}));
  }

  @Test
  void identityMapsEveryValueToItself() {
    Preprocessing identity = Preprocessing.identity();
    assertTrue(identity.isIdentity());
    assertFalse(Preprocessing.scaled(Layout.FLAT, 0.5f).isIdentity());
    float[] raw = {-0f, 0f, 1e-40f, -3.5f, Float.MAX_VALUE};
    float[] out = new float[raw.length];
    identity.apply(raw, 0, out, 0, raw.length);
    for (int i = 0; i < raw.length; i++) {
      assertEquals(Float.floatToRawIntBits(raw[i]), Float.floatToRawIntBits(out[i]));
    }
  }

  @Test
  void invalidValuesAreRejectedWithTheValueAndItsPosition() {
    assertMessage(
        "input scale must be finite and above 0, got NaN",
        () -> Preprocessing.of(Layout.FLAT, Float.NaN, ZERO, ONE));
    assertMessage(
        "input scale must be finite and above 0, got 0.0",
        () -> Preprocessing.of(Layout.FLAT, 0f, ZERO, ONE));
    assertMessage(
        "input scale must be finite and above 0, got -1.0",
        () -> Preprocessing.of(Layout.FLAT, -1f, ZERO, ONE));
    assertMessage(
        "input mean must be finite, got Infinity (value 2 of 3)",
        () ->
            Preprocessing.of(
                Layout.FLAT, 1f, new float[] {0, Float.POSITIVE_INFINITY, 0}, new float[] {1}));
    assertMessage(
        "input std must be finite and above 0, got 0.0",
        () -> Preprocessing.of(Layout.FLAT, 1f, ZERO, new float[] {0f}));
    assertMessage(
        "input std must be finite and above 0, got -2.0 (value 3 of 3)",
        () -> Preprocessing.of(Layout.FLAT, 1f, ZERO, new float[] {1, 1, -2}));
    assertMessage(
        "input std must be finite and above 0, got NaN",
        () -> Preprocessing.of(Layout.FLAT, 1f, ZERO, new float[] {Float.NaN}));
    assertMessage(
        "input mean has 2 values and std 3: give as many of each, or one for every channel",
        () -> Preprocessing.of(Layout.FLAT, 1f, new float[2], new float[] {1, 1, 1}));
    assertMessage(
        "input mean and std need at least one value each",
        () -> Preprocessing.of(Layout.FLAT, 1f, new float[0], ONE));
    assertMessage("input layout is missing", () -> Preprocessing.of(null, 1f, ZERO, ONE));
  }

  @Test
  void channelCountsMustFitTheInputShape() {
    Preprocessing rgb =
        Preprocessing.of(Layout.CHANNELS_FIRST, 1f, new float[] {0, 0, 0}, new float[] {1});
    rgb.checkInputShape(Shape.of(3, 32, 32));
    assertMessage(
        "input preprocessing has 3 mean and std values, but a channels-first image of shape"
            + " 1×28×28 has 1 channel: give one value",
        () -> rgb.checkInputShape(Shape.of(1, 28, 28)));
    assertMessage(
        "channels-first input preprocessing needs a C×H×W input, but the input shape is 784",
        () -> rgb.checkInputShape(Shape.of(784)));
    Preprocessing features = Preprocessing.of(Layout.FLAT, 1f, new float[4], new float[] {1});
    features.checkInputShape(Shape.of(2, 2));
    assertMessage(
        "input preprocessing has 4 mean and std values, but a flat vector of shape 5 has 5"
            + " features: give one value or 5",
        () -> features.checkInputShape(Shape.of(5)));
    Preprocessing.scaled(Layout.FLAT, 2f).checkInputShape(Shape.of(7, 3, 2));
  }

  @Test
  void aModelRejectsPreprocessingThatDoesNotFitItsInput() {
    Architecture architecture =
        new Architecture("one", Shape.of(2), List.of(new LayerSpec.FullyConnected("fc", 2, 1)));
    Model model =
        new Model(
            architecture,
            Map.of("fc.weight", new float[] {1, 2}, "fc.bias", new float[] {0}),
            Map.of());
    assertTrue(model.preprocessing().isEmpty());
    Preprocessing perFeature =
        Preprocessing.of(Layout.FLAT, 1f, new float[] {1, 2}, new float[] {1});
    assertEquals(perFeature, model.withPreprocessing(perFeature).preprocessing().orElseThrow());
    assertThrows(
        IllegalArgumentException.class,
        () -> model.withPreprocessing(Preprocessing.scaled(Layout.CHANNELS_FIRST, 1f)));
  }

  @Test
  void describesItselfWithTheValuesAsRecorded() {
    assertEquals(
        "channels-first image, (x × 0.00390625 − 0) / 1",
        Preprocessing.scaled(Layout.CHANNELS_FIRST, 1f / 256).describe());
    assertEquals(
        "flat vector, (x × 1 − [0.5, 0.25]) / [0.25, 0.5]",
        Preprocessing.of(Layout.FLAT, 1f, new float[] {0.5f, 0.25f}, new float[] {0.25f, 0.5f})
            .describe());
  }

  private static void assertMessage(String expected, Runnable action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    assertEquals(expected, e.getMessage());
  }
}
