package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compress on a small data set of its own: its report's pictures, and no state left behind. */
class CompressReportTest {
  @TempDir Path dir;

  @Test
  void theReportDirectoryGetsThePicturesTheReportLinks() throws Exception {
    String train = DataFilesCliTest.fixture("quadrants_train.npz");
    String test = DataFilesCliTest.fixture("quadrants_test.npz");
    Path reference = dir.resolve("reference.dcmodel");
    CliRun trained =
        CliRun.of(
            "train",
            "--model",
            "lenet-300-100",
            "--epochs",
            "2",
            "--train-data",
            train,
            "--test-data",
            test,
            "--out",
            reference.toString());
    assertEquals(0, trained.exitCode(), trained.err());

    Path out = dir.resolve("small.dcmodel");
    Path reports = dir.resolve("reports");
    CliRun run =
        CliRun.of(
            "compress",
            reference.toString(),
            "--out",
            out.toString(),
            "--train-data",
            train,
            "--test-data",
            test,
            "--keep",
            "ip1=0.1",
            "--quantizer",
            "ip2=kmeans:4",
            "--prune-iterations",
            "2",
            "--prune-epochs",
            "1",
            "--quantize-epochs",
            "1",
            "--report-dir",
            reports.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    String markdown = Files.readString(reports.resolve("report.md"));
    for (String png :
        List.of(
            "ip1-before-pruning.png",
            "ip1-after-pruning.png",
            "ip1-after-quantization.png",
            "ip2-after-quantization.png",
            "pruning-error.png",
            "retraining-loss.png")) {
      assertTrue(markdown.contains("](" + png + ")"), png + " linked from\n" + markdown);
      ChartsTest.assertChart(reports.resolve(png));
    }
    assertFalse(markdown.contains("reference-loss.png"), "the reference was not trained here");
    assertTrue(run.out().contains("resume: progress is saved in " + out + ".resume"), run.out());
    assertFalse(Files.exists(Path.of(out + ".resume")), "a finished run leaves no state");
  }
}
