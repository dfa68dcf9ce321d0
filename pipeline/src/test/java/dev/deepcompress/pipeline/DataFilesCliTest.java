package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.training.ReferenceArchitectures;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training and evaluating on NumPy files (src/test/resources/numpy, written by NumPy with
 * make_fixtures.py there: 28×28 images of a bright square whose quadrant is the label).
 */
class DataFilesCliTest {
  @TempDir Path dir;

  static String fixture(String name) {
    try {
      return Path.of(DataFilesCliTest.class.getResource("/numpy/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static final String TEST = fixture("quadrants_test.npz");

  private CliRun train(Path out, String trainData, String testData, String... more) {
    String[] base = {
      "train",
      "--model",
      "lenet-300-100",
      "--epochs",
      "3",
      "--train-data",
      trainData,
      "--test-data",
      testData,
      "--out",
      out.toString()
    };
    return CliRun.of(base, more);
  }

  private static double testError(String out) {
    Matcher m = Pattern.compile("test error from the file: ([0-9.]+)%").matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void pixelsFromAnArchiveTrainAModelThatRecordsTheirScaling() throws IOException {
    Path out = dir.resolve("quadrants.dcmodel");
    CliRun run = train(out, fixture("quadrants_train.npz"), TEST, "--validation", "32");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("validation error from the file: "), run.out());
    assertTrue(testError(run.out()) < 30, "three epochs on quadrants learn: " + run.out());
    Model model = ModelFile.read(out);
    assertEquals(ReferenceArchitectures.pixelScaling(), model.preprocessing().orElseThrow());
    assertEquals("quadrants_train.npz", model.metadata().get("dataset"));
    assertEquals("32", model.metadata().get("train.validation_samples"));

    // eval reads the test data from files, as .npz or as a pair of .npy files.
    for (String testData :
        new String[] {
          fixture("quadrants_test.npz"),
          fixture("quadrants_test_x.npy") + "," + fixture("quadrants_test_y.npy")
        }) {
      CliRun eval = CliRun.of("eval", out.toString(), "--test-data", testData);
      assertEquals(0, eval.exitCode(), eval.err());
      assertTrue(
          eval.out().contains(String.format("test error %.2f%%", testError(run.out()))),
          eval.out());
    }
  }

  /**
   * Pixels p with scale 1/256 and float32 samples p/256 with scale 1 are the same inputs bit for
   * bit, so they train the same weights; only the recorded preprocessing differs.
   */
  @Test
  void floatSamplesTakenAsScaledTrainTheSameWeightsAsPixelsScaledByTheModel() throws IOException {
    Path pixels = dir.resolve("pixels.dcmodel");
    Path floats = dir.resolve("floats.dcmodel");
    assertEquals(0, train(pixels, fixture("quadrants_train.npz"), TEST).exitCode());
    CliRun run =
        train(floats, fixture("quadrants_train_f32.npz"), fixture("quadrants_test_f32.npz"));
    assertEquals(0, run.exitCode(), run.err());
    Model a = ModelFile.read(pixels);
    Model b = ModelFile.read(floats);
    for (String name : a.parameters().keySet()) {
      assertArrayEquals(a.parameter(name), b.parameter(name), name);
    }
    assertEquals(
        Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, 1f),
        b.preprocessing().orElseThrow());
  }

  @Test
  void dataThatDoesNotFitOrOptionsThatClashAreOneLineErrors() throws IOException {
    Path out = dir.resolve("never.dcmodel");
    assertFails(
        train(out, fixture("vectors_of_ten.npz"), fixture("vectors_of_ten.npz")),
        "deepcompress: vectors_of_ten.npz: samples of shape 10 do not fit the model's input of"
            + " shape 1×28×28");
    assertFails(
        CliRun.of(
            "train",
            "--model",
            "lenet-5",
            "--train-data",
            fixture("quadrants_train.npz"),
            "--out",
            out.toString()),
        "deepcompress: --train-data and --test-data go together: give both");
    assertFails(
        train(out, fixture("quadrants_train.npz"), TEST, "--dataset", "mnist"),
        "deepcompress: --dataset and --train-data/--test-data exclude each other: give one or the"
            + " other");
    assertFails(
        train(out, fixture("quadrants_train.npz"), TEST, "--validation", "256"),
        "deepcompress: --validation 256 leaves no training samples: there are 256");
    assertFails(
        train(out, fixture("quadrants_train.npz") + ",", TEST),
        "deepcompress: '" + fixture("quadrants_train.npz") + ",' names an empty file");
    assertFails(
        train(out, fixture("quadrants_train.npz"), fixture("quadrants_test_f32.npz")),
        "deepcompress: the training samples are uint8 but the test samples float32: give both in"
            + " one type");
    Path text = dir.resolve("text.npy");
    Files.writeString(text, "x,y\n1,2\n", StandardCharsets.UTF_8);
    assertFails(
        train(out, text + "," + fixture("quadrants_test_y.npy"), TEST),
        "deepcompress: " + text + ": neither a NumPy .npy file nor an IDX image file");
    assertFalse(Files.exists(out), "nothing written");
  }

  private static void assertFails(CliRun run, String line) {
    assertEquals(ErrorReporter.FAILED, run.exitCode(), run.out() + run.err());
    assertEquals(line, run.err().strip());
  }
}
