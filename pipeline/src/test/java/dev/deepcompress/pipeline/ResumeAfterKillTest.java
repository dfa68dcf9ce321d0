package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code deepcompress reproduce} process on a subset of MNIST, stopped by SIGTERM (as Ctrl-C
 * stops it) in its reference training, killed with SIGKILL after a pruning iteration and in
 * quantized retraining, and started again each time: the file it finally writes is byte-identical
 * to an uninterrupted run's.
 */
class ResumeAfterKillTest {
  @TempDir Path dir;

  private static final List<String> ARGS =
      List.of(
          "reproduce",
          "lenet-300-100",
          "--train-subset",
          "500",
          "--epochs",
          "2",
          "--prune-iterations",
          "2",
          "--prune-epochs",
          "2",
          "--quantize-epochs",
          "2",
          "--seed",
          "4");

  /** The output of one process, up to the line it was killed at (or its end), and its errors. */
  private record Run(List<String> lines, int exitCode, String errors) {
    String text() {
      return String.join("\n", lines);
    }
  }

  /**
   * Runs the command line in a process of its own; once a line starts with {@code stopAt}, stops it
   * with SIGTERM ({@code forcibly} false, as Ctrl-C would) or SIGKILL.
   */
  private static Run process(Path outDir, String stopAt, boolean forcibly)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(Main.class.getName());
    command.addAll(ARGS);
    command.addAll(List.of("--out-dir", outDir.toString(), "--threads", "1"));
    Path errors = outDir.resolveSibling("stderr.txt");
    Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (stopAt != null && line.startsWith(stopAt)) {
          // On Unix destroy() sends SIGTERM, which runs the shutdown hooks as Ctrl-C's SIGINT
          // does; destroyForcibly() sends SIGKILL: no hook, no last write.
          if (forcibly) {
            process.destroyForcibly();
          } else {
            process.destroy();
          }
          break;
        }
      }
    }
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the process ends");
    return new Run(lines, process.exitValue(), Files.readString(errors));
  }

  @Test
  void aRunStoppedAndKilledWritesTheSameBytesAsAnUninterruptedOne() throws Exception {
    // The uninterrupted run in this process, on all its threads; the killed ones on one thread.
    Path uninterrupted = dir.resolve("uninterrupted");
    List<String> args = new ArrayList<>(ARGS);
    args.addAll(List.of("--out-dir", uninterrupted.toString()));
    CliRun whole = CliRun.of(args.toArray(String[]::new));
    assertEquals(0, whole.exitCode(), whole.out() + whole.err());
    byte[] expected = Files.readAllBytes(uninterrupted.resolve("lenet-300-100.dcmodel"));

    Path out = dir.resolve("killed");
    Path file = out.resolve("lenet-300-100.dcmodel");
    // Stopped in reference training, as by Ctrl-C: it says where and how to continue.
    Run stopped = process(out, "resume: progress is saved", false);
    assertEquals(143, stopped.exitCode(), "stopped by SIGTERM:\n" + stopped.text());
    assertTrue(
        stopped.errors().contains("deepcompress: stopped; saved up to reference training, epoch "),
        stopped.errors());
    assertTrue(
        stopped.errors().contains("The same command continues from there: deepcompress reproduce"),
        stopped.errors());

    // After the first pruning iteration and in quantized retraining: each time a checkpoint was
    // saved before the line that triggers the kill, and the process may get a little further
    // before the kill lands.
    String[][] kills = {
      {"prune 1:", "reference continues from reference training, epoch "},
      {"quantized retraining   2/2", "pruning continues from pruning iteration "},
    };
    for (String[] kill : kills) {
      Run killed = process(out, kill[0], true);
      assertEquals(137, killed.exitCode(), "killed by SIGKILL:\n" + killed.text());
      assertFalse(Files.exists(file), "no file yet");
      assertTrue(killed.text().contains(kill[1]), kill[1] + " in\n" + killed.text());
    }
    Run last = process(out, null, false);
    assertEquals(0, last.exitCode(), last.text());
    assertTrue(
        last.text().contains("quantization continues from quantized retraining"), last.text());
    assertArrayEquals(expected, Files.readAllBytes(file), "the resumed run's file, byte for byte");
    assertFalse(
        Files.exists(out.resolve(ReproduceCommand.STATE_DIRECTORY)), "a finished run cleans up");
  }
}
