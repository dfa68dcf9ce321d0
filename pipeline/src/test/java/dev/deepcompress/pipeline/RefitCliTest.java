package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compress --max-error … --refit} on the quadrant images (256 training samples, 32 of them
 * held out for the search): the file is the chosen plan retrained on all 256.
 */
class RefitCliTest {
  @TempDir static Path dir;
  private static Path reference;

  @BeforeAll
  static void trainReference() {
    reference = dir.resolve("reference.dcmodel");
    CliRun run =
        CliRun.of(
            "train",
            "--model",
            "lenet-300-100",
            "--epochs",
            "3",
            "--train-data",
            DataFilesCliTest.fixture("quadrants_train.npz"),
            "--test-data",
            DataFilesCliTest.fixture("quadrants_test.npz"),
            "--out",
            reference.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
  }

  private static CliRun search(Path out, Path reports, String... more) {
    String[] base = {
      "compress",
      reference.toString(),
      "--train-data",
      DataFilesCliTest.fixture("quadrants_train.npz"),
      "--test-data",
      DataFilesCliTest.fixture("quadrants_test.npz"),
      "--validation",
      "32",
      "--max-error",
      "+10",
      "--keep-grid",
      "0.5,0.2",
      "--bits-grid",
      "2,4",
      "--width-retrain-images",
      "0",
      "--narrowings",
      "0",
      "--prune-iterations",
      "2",
      "--prune-epochs",
      "1",
      "--cluster-epochs",
      "1",
      "--out",
      out.toString(),
      "--report-dir",
      reports.toString()
    };
    return CliRun.of(base, more);
  }

  @Test
  void theFileIsTheChosenPlanRetrainedOnEveryTrainingSample() throws IOException {
    Path searched = dir.resolve("searched.dcmodel");
    Path refitted = dir.resolve("refitted.dcmodel");
    CliRun plain = search(searched, dir.resolve("searched"));
    assertEquals(0, plain.exitCode(), plain.out() + plain.err());
    CliRun refit = search(refitted, dir.resolve("refitted"), "--refit");
    assertEquals(0, refit.exitCode(), refit.out() + refit.err());

    // The search ran the same way, so it chose the same plan; the refit compresses with it.
    String plan = Files.readString(dir.resolve("refitted").resolve("plan.json"));
    assertEquals(plan, Files.readString(dir.resolve("searched").resolve("plan.json")));
    Model model = ModelFile.read(refitted);
    assertEquals(CompressionPlan.fromJson(plan).describe(), model.metadata().get("compress.plan"));
    assertEquals(
        SearchOptions.refitNote(256),
        model.metadata().get("compress.refit"),
        "all 256 training samples, the 32 held out included");
    assertFalse(ModelFile.read(searched).metadata().containsKey("compress.refit"));
    CompressionPlan chosen = CompressionPlan.fromJson(plan);
    chosen
        .layers()
        .forEach(
            (layer, planned) -> {
              var tensor = (SparseQuantizedTensor) model.tensor(layer + ".weight");
              double kept = (double) tensor.nonZeroCount() / tensor.shape().elementCount();
              assertEquals(
                  ((ThresholdPolicy.KeptFraction) planned.pruning()).keptFraction(),
                  kept,
                  0.01,
                  layer);
            });

    String json = Files.readString(dir.resolve("refitted").resolve("report.json"));
    assertTrue(json.contains("\"refit_training_samples\": 256"), json);
    assertTrue(json.contains("\"searched_model_validation_error_pct\""), json);
    assertTrue(
        Files.readString(dir.resolve("refitted").resolve("report.md")).contains("### Refit"));
  }

  @Test
  void refitWithoutASearchIsAUsageError() {
    CliRun run =
        CliRun.of(
            "compress",
            reference.toString(),
            "--keep",
            "ip1=0.5",
            "--refit",
            "--out",
            dir.resolve("never.dcmodel").toString());
    assertEquals(2, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("--refit applies the plan a search chose"), run.err());
    assertFalse(Files.exists(dir.resolve("never.dcmodel")));
  }
}
