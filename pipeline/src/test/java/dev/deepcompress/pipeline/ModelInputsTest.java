package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which preprocessing the command line gives a model's inputs, and what inspect says of it. */
class ModelInputsTest {
  private static final Path FILE = Path.of("model.dcmodel");

  private static Model lenet(Map<String, String> metadata) {
    return Network.initialize(ReferenceArchitectures.lenet300100(), 1).toModel(metadata);
  }

  @Test
  void aRecordedPreprocessingIsUsedAsItIs() {
    Preprocessing recorded =
        Preprocessing.of(
            Preprocessing.Layout.CHANNELS_FIRST, 1f / 255, new float[] {0.5f}, new float[] {2f});
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Model model = lenet(Map.of("dataset", "mnist")).withPreprocessing(recorded);
    assertEquals(Optional.of(recorded), ModelInputs.of(model, FILE, print(console)));
    assertEquals("", console.toString(StandardCharsets.UTF_8));
  }

  @Test
  void deepcompressOwnMnistFilesFromBeforeOnePointTwoGetPixelsOver256WithANote() {
    for (String dataset : new String[] {"mnist", "fashion-mnist"}) {
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      assertEquals(
          Optional.of(ReferenceArchitectures.pixelScaling()),
          ModelInputs.of(lenet(Map.of("dataset", dataset)), FILE, print(console)));
      assertEquals(
          "model.dcmodel records no input preprocessing (written before format 1.2); using pixels"
              + " / 256, which deepcompress trained it with\n",
          console.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void otherFilesWithoutOneGiveTheNetworkItsInputsAsTheyAre() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    assertEquals(Optional.empty(), ModelInputs.of(lenet(Map.of()), FILE, print(console)));
    assertEquals(
        Optional.empty(), ModelInputs.of(lenet(Map.of("dataset", "x.npz")), FILE, print(console)));
    assertEquals("", console.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTrainedNetworkCarriesItsPreprocessingIntoEveryModel() {
    Preprocessing pixels = ReferenceArchitectures.pixelScaling();
    Network network = Network.initialize(ReferenceArchitectures.lenet5(), pixels, 3);
    Model model = network.toModel(Map.of());
    assertEquals(Optional.of(pixels), model.preprocessing());
    assertEquals(Optional.of(pixels), Network.fromModel(model).preprocessing());
    assertEquals(
        Optional.empty(),
        Network.initialize(ReferenceArchitectures.lenet5(), 3).toModel(Map.of()).preprocessing());
  }

  @Test
  void inspectShowsTheRecordedPreprocessingOrSaysThereIsNone(@TempDir Path dir) throws IOException {
    Path recorded = dir.resolve("recorded.dcmodel");
    ModelFile.write(
        lenet(Map.of()).withPreprocessing(ReferenceArchitectures.pixelScaling()), recorded);
    CliRun run = CliRun.of("inspect", recorded.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(
        run.out()
            .contains("\n  input preprocessing: channels-first image, (x × 0.00390625 − 0) / 1\n"),
        run.out());

    run = CliRun.of("inspect", "--json", recorded.toString());
    assertEquals(
        Map.of(
            "layout",
            "channels_first",
            "scale",
            0.00390625,
            "mean",
            List.of(0.0),
            "std",
            List.of(1.0)),
        JsonReader.object(JsonReader.parse(run.out())).get("input_preprocessing"));

    Path none = dir.resolve("none.dcmodel");
    ModelFile.write(lenet(Map.of()), none);
    run = CliRun.of("inspect", none.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(
        run.out()
            .contains(
                "\n  input preprocessing: none recorded (files before format 1.2 do not record"
                    + " it); a reader gives the network its inputs as they are\n"),
        run.out());
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
