package dev.deepcompress.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files for readers that take paths: each input is written to the same one, on tmpfs if any. */
final class ScratchFiles {
  private static final Path DIRECTORY = directory();

  private ScratchFiles() {}

  private static Path directory() {
    try {
      Path shm = Path.of("/dev/shm");
      Path directory =
          Files.isDirectory(shm) && Files.isWritable(shm)
              ? Files.createTempDirectory(shm, "fuzz-")
              : Files.createTempDirectory("fuzz-");
      directory.toFile().deleteOnExit();
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A path in this run's scratch directory, removed when the JVM exits. */
  static Path file(String name) {
    Path file = DIRECTORY.resolve(name);
    file.toFile().deleteOnExit();
    return file;
  }
}
