package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.RandomModels;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileRoundTripTest {
  @TempDir Path dir;

  static void assertSameModel(Model expected, Model actual) {
    assertEquals(expected.architecture(), actual.architecture());
    assertEquals(expected.metadata(), actual.metadata());
    assertEquals(expected.preprocessing(), actual.preprocessing());
    assertEquals(expected.parameters().keySet(), actual.parameters().keySet());
    for (ParameterSpec spec : expected.architecture().parameters()) {
      float[] want = expected.parameter(spec.name());
      float[] got = actual.parameter(spec.name());
      assertEquals(want.length, got.length, spec.name());
      for (int i = 0; i < want.length; i++) {
        assertEquals(
            Float.floatToRawIntBits(want[i]),
            Float.floatToRawIntBits(got[i]),
            spec.name() + "[" + i + "]");
      }
    }
  }

  @Test
  void randomModelsRoundTripInMemory() throws IOException {
    for (int seed = 0; seed < 200; seed++) {
      Model model = RandomModels.model(new Random(seed));
      assertSameModel(model, ModelFile.fromBytes(ModelFile.toBytes(model), "seed " + seed));
    }
  }

  @Test
  void lenet300100RoundTripsThroughAFile() throws IOException {
    Architecture lenet =
        new Architecture(
            "lenet-300-100",
            Shape.of(1, 28, 28),
            List.of(
                new LayerSpec.FullyConnected("ip1", 784, 300),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.FullyConnected("ip2", 300, 100),
                new LayerSpec.Relu("relu2"),
                new LayerSpec.FullyConnected("ip3", 100, 10)));
    Model model = RandomModels.model(lenet, new Random(7));
    Path file = dir.resolve("lenet" + ModelFile.EXTENSION);
    ModelFile.write(model, file);
    assertSameModel(model, ModelFile.read(file));
    // Header, five sections' framing, the strings and shapes: the rest is 4 bytes per parameter.
    long overhead = Files.size(file) - 4 * lenet.parameterCount();
    assertEquals(true, overhead > 0 && overhead < 1024, "overhead " + overhead);
  }

  @Test
  void everyLayerKindRoundTrips() throws IOException {
    Architecture all =
        new Architecture(
            "every-kind",
            Shape.of(3, 11, 9),
            List.of(
                new LayerSpec.Convolution("conv1", 3, 4, 3, 2, 1),
                new LayerSpec.MaxPool("pool1", 3, 2),
                new LayerSpec.Relu("relu1"),
                new LayerSpec.AveragePool("pool2", 2, 1),
                new LayerSpec.Convolution("conv2", 4, 70_000, 1, 1, 0),
                new LayerSpec.FullyConnected("ip1", 70_000 * 2 * 1, 2)));
    Model model = RandomModels.model(all, new Random(5));
    Model read = ModelFile.fromBytes(ModelFile.toBytes(model), "every kind");
    assertSameModel(model, read);
    assertEquals(all.layers(), read.architecture().layers());
    for (int seed = 0; seed < 50; seed++) {
      Model random =
          RandomModels.model(RandomModels.convolutional(new Random(seed)), new Random(seed));
      assertSameModel(random, ModelFile.fromBytes(ModelFile.toBytes(random), "seed " + seed));
    }
  }

  @Test
  void specialButFiniteValuesKeepTheirExactBits() throws IOException {
    Architecture tiny =
        new Architecture("tiny", Shape.of(3), List.of(new LayerSpec.FullyConnected("fc", 3, 2)));
    float[] weight = {
      -0f, Float.MIN_VALUE, -Float.MIN_NORMAL / 7, Float.MAX_VALUE, -Float.MAX_VALUE, 1
    };
    Model model =
        new Model(tiny, Map.of("fc.weight", weight, "fc.bias", new float[] {0f, -0f}), Map.of());
    assertSameModel(model, ModelFile.fromBytes(ModelFile.toBytes(model), "special"));
  }

  @Test
  void equalModelsGiveByteIdenticalFiles() throws IOException {
    for (int seed = 0; seed < 20; seed++) {
      Model first = RandomModels.model(new Random(seed));
      Map<String, String> reversed = new LinkedHashMap<>();
      List<String> keys = new ArrayList<>(first.metadata().keySet());
      for (int i = keys.size() - 1; i >= 0; i--) {
        reversed.put(keys.get(i), first.metadata().get(keys.get(i)));
      }
      Map<String, float[]> copies = new HashMap<>();
      first.parameters().forEach((name, values) -> copies.put(name, values.clone()));
      Model second = new Model(first.architecture(), copies, reversed);

      Path a = dir.resolve("a" + seed + ModelFile.EXTENSION);
      Path b = dir.resolve("b" + seed + ModelFile.EXTENSION);
      ModelFile.write(first, a);
      ModelFile.write(second, b);
      assertEquals(-1, Files.mismatch(a, b), "seed " + seed);
      assertArrayEquals(ModelFile.toBytes(first), Files.readAllBytes(a));
    }
  }

  @Test
  void metadataIsStoredInUtf8ByteOrderOfTheKeys() throws IOException {
    // U+E000 sorts after U+1F600 in UTF-16 (String.compareTo) but before it in UTF-8 bytes.
    Map<String, String> metadata =
        Map.of("\uD83D\uDE00", "emoji", "\uE000", "private use", "b", "2", "a", "1");
    Model model = tinyModel(metadata);
    SectionedFile file = SectionedFile.parse(ModelFile.toBytes(model));
    ByteBuffer meta =
        ByteBuffer.wrap(file.sections().get(file.indexOf("META")).payload())
            .order(ByteOrder.LITTLE_ENDIAN);
    int count = meta.getInt();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(readString(meta));
      readString(meta);
    }
    assertEquals(List.of("a", "b", "\uE000", "\uD83D\uDE00"), keys);
    assertEquals(metadata, ModelFile.fromBytes(ModelFile.toBytes(model), "meta").metadata());
  }

  private static String readString(ByteBuffer in) {
    byte[] utf8 = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  @Test
  void emptyMetadataWritesNoMetaSection() throws IOException {
    Model model = tinyModel(Map.of());
    byte[] bytes = ModelFile.toBytes(model);
    assertEquals(List.of("ARCH", "TENS", "TENS", "END "), SectionedFile.parse(bytes).tags());
    assertSameModel(model, ModelFile.fromBytes(bytes, "empty metadata"));
  }

  @Test
  void modelsTheFormatCannotHoldAreRefusedBeforeWriting() {
    Model nan = tinyModel(Map.of());
    nan.parameter("fc.weight")[1] = Float.NaN;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelFile.toBytes(nan));
    assertEquals(true, e.getMessage().contains("fc.weight[1] is NaN"), e.getMessage());

    Model longValue = tinyModel(Map.of("notes", "x".repeat(70_000)));
    assertThrows(IllegalArgumentException.class, () -> ModelFile.toBytes(longValue));

    Model loneSurrogate = tinyModel(Map.of("bad", "\uD800"));
    assertThrows(IllegalArgumentException.class, () -> ModelFile.toBytes(loneSurrogate));
  }

  static Model tinyModel(Map<String, String> metadata) {
    Architecture tiny =
        new Architecture(
            "tiny",
            Shape.of(2),
            List.of(new LayerSpec.FullyConnected("fc", 2, 1), new LayerSpec.Relu("r")));
    return new Model(
        tiny,
        Map.of("fc.weight", new float[] {1.5f, -2f}, "fc.bias", new float[] {0.25f}),
        metadata);
  }
}
