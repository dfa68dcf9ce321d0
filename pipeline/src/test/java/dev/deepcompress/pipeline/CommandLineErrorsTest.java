package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake gives one clear line on stderr and a non-zero exit, never a stack trace. */
class CommandLineErrorsTest {
  @TempDir Path dir;

  private record Outcome(int exitCode, String err) {}

  private static Outcome run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  private static void assertNoStackTrace(Outcome outcome) {
    assertFalse(outcome.err().contains("\tat "), "stack trace printed:\n" + outcome.err());
    assertFalse(outcome.err().contains("Exception"), "exception name leaked:\n" + outcome.err());
  }

  @Test
  void unknownOptionIsAUsageError() {
    Outcome outcome = run("train", "--model", "lenet-300-100", "--out", "x", "--bogus");
    assertEquals(ErrorReporter.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("--bogus"), outcome.err());
  }

  @Test
  void unknownModelNamesTheKnownOnes() {
    Outcome outcome = run("train", "--model", "alexnet-9000", "--out", "x");
    assertEquals(ErrorReporter.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("lenet-300-100"), outcome.err());
    assertNoStackTrace(outcome);
  }

  @Test
  void missingModelFile() {
    Outcome outcome = run("eval", dir.resolve("absent.dcmodel").toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().startsWith("deepcompress: no such file: "), outcome.err());
    assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
  }

  @Test
  void corruptModelFileNamesTheProblemInOneLine() throws IOException {
    Path file = dir.resolve("corrupt.dcmodel");
    Files.write(file, "this is not a model file at all".getBytes(StandardCharsets.UTF_8));
    Outcome outcome = run("eval", file.toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().contains(file.toString()), outcome.err());
    assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
    assertNoStackTrace(outcome);
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    Path file = dir.resolve("corrupt.dcmodel");
    Files.write(file, new byte[] {1, 2, 3});
    Outcome outcome = run("eval", "--verbose", file.toString());
    assertEquals(ErrorReporter.FAILED, outcome.exitCode());
    assertTrue(outcome.err().contains("\tat "), outcome.err());
  }

  @Test
  void outputIntoAMissingDirectoryFailsBeforeAnyWork() {
    Outcome outcome =
        run(
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
}
