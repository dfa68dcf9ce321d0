package dev.deepcompress.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks done before long work, so a bad output path fails in a second, not after an hour. */
final class OutputPaths {
  private OutputPaths() {}

  static void requireWritableTarget(Path file) {
    Path absolute = file.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      throw new UserInputException("output " + file + " is a directory; give a file name");
    }
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UserInputException("output directory " + parent + " does not exist");
    }
    if (!Files.isWritable(parent)) {
      throw new UserInputException("output directory " + parent + " is not writable");
    }
  }

  /** A directory the run will create or write into must not be a file. */
  static void requireDirectoryTarget(Path directory) {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new UserInputException(directory + " is a file, not a directory");
    }
  }
}
