package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake gives one clear line on stderr and a non-zero exit, never a stack trace. */
class CommandLineErrorsTest {
  @TempDir Path dir;

  private static void assertNoStackTrace(CliRun outcome) {
    assertFalse(outcome.err().contains("\tat "), "stack trace printed:\n" + outcome.err());
    assertFalse(outcome.err().contains("Exception"), "exception name leaked:\n" + outcome.err());
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun outcome = CliRun.of("train", "--model", "lenet-300-100", "--out", "x", "--bogus");
    assertEquals(ErrorReporter.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("--bogus"), outcome.err());
  }

  @Test
  void unknownModelNamesTheKnownOnes() {
    CliRun outcome = CliRun.of("train", "--model", "alexnet-9000", "--out", "x");
    assertEquals(ErrorReporter.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("lenet-300-100"), outcome.err());
    assertNoStackTrace(outcome);
  }

  @Test
  void distillationWeightOutsideZeroToOneFailsBeforeAnyWork() {
    CliRun outcome =
        CliRun.of("reproduce", "lenet-5", "--data-dir", dir.toString(), "--distill-weight", "1.5");
    assertEquals(ErrorReporter.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("distillation weight"), outcome.err());
    assertNoStackTrace(outcome);
  }

  @Test
  void missingModelFile() {
    CliRun outcome = CliRun.of("eval", dir.resolve("absent.dcmodel").toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().startsWith("deepcompress: no such file: "), outcome.err());
    assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
  }

  @Test
  void corruptModelFileNamesTheProblemInOneLine() throws IOException {
    Path file = dir.resolve("corrupt.dcmodel");
    Files.write(file, "this is not a model file at all".getBytes(StandardCharsets.UTF_8));
    CliRun outcome = CliRun.of("eval", file.toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().contains(file.toString()), outcome.err());
    assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
    assertNoStackTrace(outcome);
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    Path file = dir.resolve("corrupt.dcmodel");
    Files.write(file, new byte[] {1, 2, 3});
    CliRun outcome = CliRun.of("eval", "--verbose", file.toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().contains("\tat "), outcome.err());
  }

  @Test
  void outputIntoAMissingDirectoryFailsBeforeAnyWork() {
    CliRun outcome =
        CliRun.of(
            "train",
            "--model",
            "lenet-300-100",
            "--data-dir",
            dir.toString(),
            "--out",
            dir.resolve("no/such/dir/m.dcmodel").toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().contains("does not exist"), outcome.err());
    assertNoStackTrace(outcome);
  }

  /**
   * A bad quantizer plan is a usage error before any data set is looked for: the data directory
   * here is empty, so reaching the data would fail with another message.
   */
  @Test
  void aBadQuantizerPlanIsAUsageErrorBeforeAnyWork() throws IOException {
    Path model = TestModels.compressedLenet300100(dir);
    Path empty = Files.createDirectories(dir.resolve("no-data"));
    String[][] cases = {
      {
        "--quantizer",
        "fc9=kmeans:4",
        "no layer with weights named 'fc9' in lenet-300-100; layers"
            + " with weights: ip1, ip2, ip3"
      },
      {"--quantizer", "ip1=uniform:9", "uniform quantization takes 2-8 bits, got 9"},
      {"--quantizer", "ip1=kmeans:4,sym", "kmeans has no option 'sym'"},
      {"--quantizer", "ip1=lloyd:4", "unknown quantizer 'lloyd'"},
      {"--bits", "ip4=4", "no layer with weights named 'ip4'"},
    };
    for (String[] c : cases) {
      CliRun outcome =
          CliRun.of(
              "compress",
              model.toString(),
              "--data-dir",
              empty.toString(),
              "--out",
              dir.resolve("out.dcmodel").toString(),
              c[0],
              c[1]);
      assertEquals(ErrorReporter.USAGE, outcome.exitCode(), outcome.err());
      assertTrue(outcome.err().contains(c[2]), outcome.err());
      assertNoStackTrace(outcome);
    }
    CliRun both =
        CliRun.of(
            "reproduce",
            "lenet-300-100",
            "--data-dir",
            empty.toString(),
            "--bits",
            "ip1=4",
            "--quantizer",
            "ip1=log:4");
    assertEquals(ErrorReporter.USAGE, both.exitCode(), both.err());
    assertTrue(both.err().contains("--bits and --quantizer both name ip1"), both.err());
  }
}
