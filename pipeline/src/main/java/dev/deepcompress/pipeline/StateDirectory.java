package dev.deepcompress.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints kept as files in one directory, one per stage ({@code pruning.state}), each replaced
 * whole after every epoch: written to a temporary file, forced to the disk, then renamed over the
 * last one, so that a kill or a power loss leaves either the old checkpoint or the new one. A file
 * saved under other settings, damaged or not fitting the run is reported and set aside: that stage
 * starts afresh. {@link #clear()} removes everything once the run's results are written.
 */
final class StateDirectory implements Checkpoints {
  static final String EXTENSION = ".state";

  private final Path directory;
  private final PrintStream console;
  private volatile String lastSaved;
  private boolean told;

  StateDirectory(Path directory, PrintStream console) {
    this.directory = directory;
    this.console = console;
  }

  Path directory() {
    return directory;
  }

  private Path file(String stage) {
    return directory.resolve(stage + EXTENSION);
  }

  @Override
  public Optional<Checkpoint> load(String stage, RunSettings settings) {
    Path file = file(stage);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      long size = Files.size(file);
      if (size > CheckpointFile.MAX_FILE_BYTES) {
        throw new CheckpointFile.FormatException(file.toString(), 0, "too large: " + size);
      }
      CheckpointFile.Contents contents =
          CheckpointFile.decode(Files.readAllBytes(file), file.toString());
      if (!contents.stage().equals(stage)) {
        throw new CheckpointFile.FormatException(
            file.toString(), 0, "holds stage " + contents.stage() + ", not " + stage);
      }
      List<String> changes = settings.changesFrom(contents.settings());
      if (!changes.isEmpty()) {
        console.printf(
            "resume: %s was saved by a run with other settings (%s); %s starts over%n",
            file, String.join("; ", changes), stage);
        Files.delete(file);
        return Optional.empty();
      }
      Checkpoint checkpoint = contents.checkpoint();
      console.printf("resume: %s continues from %s (%s)%n", stage, describe(checkpoint), file);
      return Optional.of(checkpoint);
    } catch (IOException e) {
      unusable(stage, e.getMessage());
      return Optional.empty();
    }
  }

  private static String describe(Checkpoint checkpoint) {
    return checkpoint.has(Stage.WHERE) ? checkpoint.getString(Stage.WHERE) : "its checkpoint";
  }

  @Override
  public void save(String stage, RunSettings settings, Checkpoint checkpoint) {
    Path file = file(stage);
    Path temporary = directory.resolve("." + stage + EXTENSION + ".tmp");
    try {
      Files.createDirectories(directory);
      byte[] bytes = CheckpointFile.encode(stage, settings.text(), checkpoint);
      try (FileChannel out =
          FileChannel.open(
              temporary,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot save the run's progress in " + directory + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // The temporary file is removed by clear() at the latest.
      }
    }
    lastSaved = describe(checkpoint);
    if (!told) {
      told = true;
      console.printf(
          "resume: progress is saved in %s; if the run stops, the same command continues it%n",
          directory);
    }
  }

  @Override
  public void unusable(String stage, String reason) {
    console.printf("resume: saved %s state unusable (%s); %s starts over%n", stage, reason, stage);
    try {
      Files.deleteIfExists(file(stage));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Until closed, a stop of the process other than its own end (Ctrl-C, a TERM signal) prints where
   * the run stopped and the command that continues it.
   *
   * @param rerun the command as the user typed it
   */
  AutoCloseable reportInterruption(String rerun) {
    Thread hook =
        new Thread(
            () -> {
              String at = lastSaved;
              console.flush();
              System.err.println();
              System.err.println(
                  at == null
                      ? "deepcompress: stopped before the first checkpoint; this command starts"
                          + " over:"
                      : "deepcompress: stopped; saved up to " + at + " in " + directory + ".");
              System.err.println(
                  (at == null ? "  " : "  The same command continues from there: ") + rerun);
            },
            "report-interruption");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run: it already said where the run stopped.
      }
    };
  }

  /** Removes every checkpoint and the directory itself, if that leaves it empty. */
  void clear() throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(EXTENSION) || name.endsWith(EXTENSION + ".tmp")) {
          Files.delete(file);
        }
      }
    }
    try (DirectoryStream<Path> rest = Files.newDirectoryStream(directory)) {
      if (!rest.iterator().hasNext()) {
        Files.delete(directory);
      }
    }
  }
}
