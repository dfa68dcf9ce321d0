package dev.deepcompress.runtime.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** Files written whole or not at all: a crash never leaves half a file behind. */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Writes atomically: the bytes go to a temporary file in the target's directory, are forced to
   * disk, and the temporary file is renamed over the target. On any failure the temporary file is
   * removed and an existing target is left untouched.
   */
  public static void write(Path path, byte[] bytes) throws IOException {
    Path target = path.toAbsolutePath();
    Path directory = target.getParent();
    if (directory == null) {
      throw new IllegalArgumentException("not a file path: " + path);
    }
    Path temp =
        directory.resolve(
            "."
                + target.getFileName()
                + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
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

  /** Makes the rename itself durable where the platform allows syncing a directory. */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms cannot open or sync a directory; the file is complete either way.
    }
  }
}
