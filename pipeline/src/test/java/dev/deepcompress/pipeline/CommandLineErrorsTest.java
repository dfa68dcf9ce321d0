package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Runs compress on a small LeNet-300-100 with an empty data directory: an option checked only
   * after the data set was looked for fails with the data set's error instead of its own.
   */
  private CliRun compress(String... options) throws IOException {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "compress",
            TestModels.compressedLenet300100(dir).toString(),
            "--data-dir",
            Files.createDirectories(dir.resolve("no-data")).toString()));
    if (!List.of(options).contains("--out")) {
      args.addAll(List.of("--out", dir.resolve("out.dcmodel").toString()));
    }
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** Runs train with one option added, with an empty data directory as {@link #compress}. */
  private CliRun train(String option, String value) throws IOException {
    return CliRun.of(
        "train",
        "--model",
        "lenet-300-100",
        "--data-dir",
        Files.createDirectories(dir.resolve("no-data")).toString(),
        "--out",
        dir.resolve("m.dcmodel").toString(),
        option,
        value);
  }

  /** Runs reproduce lenet-300-100 with the given options, with an empty data directory. */
  private CliRun reproduce(String... options) throws IOException {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "reproduce",
            "lenet-300-100",
            "--data-dir",
            Files.createDirectories(dir.resolve("no-data")).toString()));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static void assertUsageError(CliRun outcome, String... fragments) {
    assertEquals(ErrorReporter.USAGE, outcome.exitCode(), outcome.err());
    for (String fragment : fragments) {
      assertTrue(outcome.err().contains(fragment), "'" + fragment + "' not in: " + outcome.err());
    }
    assertNoStackTrace(outcome);
  }

  @Test
  void unknownLayersAreUsageErrorsNamingTheKnownOnes() throws IOException {
    for (String option : List.of("--keep", "--prune-std", "--bits", "--gap-bits")) {
      assertUsageError(compress(option, "nosuch=1"), "'nosuch'", "ip1, ip2, ip3");
    }
    assertUsageError(
        compress("--keep", "ip1=0.5", "--prune-std", "ip1=1"), "ip1", "--keep", "--prune-std");
  }

  @Test
  void valuesOutsideTheRangesHelpGivesAreUsageErrors() throws IOException {
    assertUsageError(compress("--keep", "ip1=1.5"), "kept fraction", "1.5");
    assertUsageError(compress("--keep", "ip1=0"), "kept fraction", "0");
    assertUsageError(compress("--prune-std", "ip1=-1"), "quality", "-1");
    assertUsageError(compress("--keep", "ip1=0.5", "--bits", "ip1=9"), "9");
    assertUsageError(compress("--keep", "ip1=0.5", "--gap-bits", "ip1=0"), "gap", "1-8");
    assertUsageError(compress("--keep", "ip1=0.5", "--batch-size", "0"), "--batch-size");
    assertUsageError(
        compress("--keep", "ip1=0.5", "--prune-iterations", "0"), "--prune-iterations");
    assertUsageError(compress("--keep", "ip1=0.5", "--quantize-epochs", "-1"), "--quantize-epochs");
    assertUsageError(compress("--keep", "ip1=0.5", "--lr", "0"), "--lr");
    assertUsageError(compress("--keep", "ip1=0.5", "--lr-step-epochs", "0"), "--lr-step-epochs");
    assertUsageError(compress("--keep", "ip1=0.5", "--threads", "0"), "--threads");
    assertUsageError(train("--batch-size", "0"), "--batch-size");
    assertUsageError(train("--epochs", "0"), "--epochs");
    assertUsageError(
        reproduce("--out-dir", dir.toString(), "--prune-epochs", "-1"), "--prune-epochs");
  }

  @Test
  void aPruningScheduleItCannotFollowIsAUsageError() throws IOException {
    assertUsageError(
        compress("--keep", "ip1=0.5", "--prune-schedule", "linear"),
        "--prune-schedule",
        "'linear'",
        "iterative, cubic");
    assertUsageError(
        compress("--prune-std", "ip1=1", "--prune-schedule", "cubic"),
        "cubic pruning schedule ramps to kept fractions; ip1");
    assertUsageError(
        compress("--keep", "ip1=0.5", "--prune-schedule", "cubic", "--max-error", "+0.1"),
        "--max-error",
        "cubic pruning schedule");
  }

  @Test
  void outputsUnderProcOrSysAreRejectedBeforeAnyWork() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc");
    CliRun model = compress("--keep", "ip1=0.5", "--out", "/proc/self/m.dcmodel");
    assertEquals(ErrorReporter.FAILED, model.exitCode(), model.err());
    assertTrue(model.err().contains("/proc/self/m.dcmodel"), model.err());
    assertEquals(1, model.err().strip().lines().count(), model.err());

    CliRun report = compress("--keep", "ip1=0.5", "--report-dir", "/sys/deepcompress-reports");
    assertEquals(ErrorReporter.FAILED, report.exitCode(), report.err());
    assertTrue(report.err().contains("/sys/deepcompress-reports"), report.err());

    CliRun reproduce = reproduce("--out-dir", "/proc/self/runs");
    assertEquals(ErrorReporter.FAILED, reproduce.exitCode(), reproduce.err());
    assertTrue(reproduce.err().contains("/proc/self/runs"), reproduce.err());
  }
}
