package dev.deepcompress.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** Checks done before long work, so a bad output path fails in a second, not after an hour. */
final class OutputPaths {
  private OutputPaths() {}

  /** Linux's kernel interfaces: they look like directories and, for root, even writable ones. */
  private static final Set<Path> KERNEL_TREES = Set.of(Path.of("/proc"), Path.of("/sys"));

  private static final Set<String> KERNEL_FILE_SYSTEMS = Set.of("proc", "sysfs");

  static void requireWritableTarget(Path file) {
    Path absolute = file.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      throw new UserInputException("output " + file + " is a directory; give a file name");
    }
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UserInputException("output directory " + parent + " does not exist");
    }
    requireOrdinaryFileSystem(file, parent);
    if (!Files.isWritable(parent)) {
      throw new UserInputException("output directory " + parent + " is not writable");
    }
  }

  /** A directory that exists and is writable, or can be created below one that is. */
  static void requireWritableDirectory(Path directory) {
    Path existing = directory.toAbsolutePath().normalize();
    while (!Files.exists(existing)) {
      existing = existing.getParent();
    }
    requireOrdinaryFileSystem(directory, existing);
    if (!Files.isDirectory(existing)) {
      throw new UserInputException(
          "output directory " + directory + " cannot be created: " + existing + " is a file");
    }
    if (!Files.isWritable(existing)) {
      throw new UserInputException("output directory " + existing + " is not writable");
    }
  }

  /** Refuses outputs whose nearest existing directory, {@code existing}, is a kernel interface. */
  private static void requireOrdinaryFileSystem(Path output, Path existing) {
    boolean kernel;
    try {
      Path real = existing.toRealPath();
      kernel =
          KERNEL_TREES.stream().anyMatch(real::startsWith)
              || KERNEL_FILE_SYSTEMS.contains(Files.getFileStore(real).type());
    } catch (IOException e) {
      // Unreadable: writing will say why.
      return;
    }
    if (kernel) {
      throw new UserInputException(
          "output " + output + " is on a kernel file system (/proc or /sys), which holds no files");
    }
  }
}
