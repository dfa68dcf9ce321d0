package dev.deepcompress.runtime.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files written whole or not at all: a crash never leaves half a file behind. */
public final class AtomicFile {
  private AtomicFile() {}

  /** {@code .NAME.deepcompress-PID-RANDOM.tmp}: the writer's process tells when it is stale. */
  private static final Pattern TEMPORARY =
      Pattern.compile("\\..+\\.deepcompress-([0-9]{1,19})-[0-9a-z]{1,13}\\.tmp");

  /** Opens the temporary file; tests substitute channels that fail. */
  @FunctionalInterface
  interface ChannelOpener {
    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  /**
   * Writes atomically: the bytes go to a temporary file in the target's directory, are forced to
   * disk, and the temporary file is renamed over the target. On any failure the temporary file is
   * removed and an existing target is left untouched. The temporary file is named {@code
   * .NAME.deepcompress-PID-RANDOM.tmp} after the target and this process; such files whose process
   * has ended (a writer killed before its rename) are removed from the directory first.
   *
   * @throws FileSystemException naming the target if the bytes cannot be written or forced to disk
   */
  public static void write(Path path, byte[] bytes) throws IOException {
    write(path, bytes, FileChannel::open);
  }

  static void write(Path path, byte[] bytes, ChannelOpener opener) throws IOException {
    Path target = path.toAbsolutePath();
    Path directory = target.getParent();
    if (directory == null) {
      throw new IllegalArgumentException("not a file path: " + path);
    }
    removeStaleTemporaries(directory);
    Path temp =
        directory.resolve(
            "."
                + target.getFileName()
                + ".deepcompress-"
                + ProcessHandle.current().pid()
                + "-"
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".tmp");
    try {
      try (FileChannel channel =
          opener.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
        } catch (IOException e) {
          throw namingTarget(target, "cannot write", e);
        }
        try {
          channel.force(true);
        } catch (IOException e) {
          throw namingTarget(target, "cannot force the data to disk", e);
        }
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    syncDirectory(directory);
  }

  /** Low-level I/O errors ("Input/output error") say nothing of which file they hit. */
  private static FileSystemException namingTarget(Path target, String what, IOException e) {
    if (e instanceof FileSystemException named) {
      return named;
    }
    FileSystemException named =
        new FileSystemException(target.toString(), null, what + ": " + e.getMessage());
    named.initCause(e);
    return named;
  }

  /**
   * Best effort: a temporary file another writer is still filling belongs to a live process, and
   * one that cannot be listed or deleted is left for the next write.
   */
  private static void removeStaleTemporaries(Path directory) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, ".*.tmp")) {
      for (Path file : files) {
        Matcher name = TEMPORARY.matcher(file.getFileName().toString());
        if (name.matches()
            && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty()
            && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Leftovers cost disk space, not correctness; the write itself goes on.
    }
  }

  /** Makes the rename itself durable where the platform allows syncing a directory. */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms cannot open or sync a directory; the file is complete either way.
    }
  }
}
