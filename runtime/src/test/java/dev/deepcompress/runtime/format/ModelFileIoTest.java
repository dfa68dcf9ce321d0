package dev.deepcompress.runtime.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.RandomModels;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ModelFileIoTest {
  @TempDir Path dir;

  private List<String> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writeLeavesOnlyTheTargetBehind() throws IOException {
    Model model = RandomModels.model(new Random(3));
    Path target = dir.resolve("m" + ModelFile.EXTENSION);
    ModelFile.write(model, target);
    assertEquals(List.of("m.dcmodel"), listing(dir));
    assertArrayEquals(ModelFile.toBytes(model), Files.readAllBytes(target));
  }

  @Test
  void aRelativePathIsResolvedAgainstTheWorkingDirectory() throws IOException {
    Path relative = Path.of("target", "relative-" + ProcessHandle.current().pid() + ".dcmodel");
    try {
      Model model = RandomModels.model(new Random(4));
      ModelFile.write(model, relative);
      ModelFileRoundTripTest.assertSameModel(model, ModelFile.read(relative));
    } finally {
      Files.deleteIfExists(relative);
    }
  }

  @Test
  void anExistingTargetIsReplacedOnSuccessOnly() throws IOException {
    Path target = dir.resolve("m" + ModelFile.EXTENSION);
    Model first = RandomModels.model(new Random(5));
    Model second = RandomModels.model(new Random(6));
    ModelFile.write(first, target);
    ModelFile.write(second, target);
    ModelFileRoundTripTest.assertSameModel(second, ModelFile.read(target));

    Model broken = ModelFileRoundTripTest.tinyModel(Map.of());
    broken.parameter("fc.bias")[0] = Float.POSITIVE_INFINITY;
    assertThrows(IllegalArgumentException.class, () -> ModelFile.write(broken, target));
    ModelFileRoundTripTest.assertSameModel(second, ModelFile.read(target));
    assertEquals(List.of("m.dcmodel"), listing(dir));
  }

  @Test
  void aFailedRenameRemovesTheTemporaryFile() throws IOException {
    // A non-empty directory in the target's place makes the final rename fail.
    Path target = dir.resolve("taken" + ModelFile.EXTENSION);
    Files.createDirectory(target);
    Files.writeString(target.resolve("keep.txt"), "keep");
    assertThrows(
        IOException.class, () -> ModelFile.write(RandomModels.model(new Random(7)), target));
    assertEquals(List.of("taken.dcmodel"), listing(dir));
    assertEquals("keep", Files.readString(target.resolve("keep.txt")));
  }

  @Test
  void writingIntoAMissingDirectoryFailsWithoutCreatingAnything() {
    Path target = dir.resolve("missing").resolve("m" + ModelFile.EXTENSION);
    assertThrows(
        NoSuchFileException.class,
        () -> ModelFile.write(RandomModels.model(new Random(8)), target));
    assertFalse(Files.exists(dir.resolve("missing")));
  }

  @Test
  void writingBelowARegularFileFails() throws IOException {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThrows(
        FileSystemException.class,
        () -> ModelFile.write(RandomModels.model(new Random(9)), file.resolve("m.dcmodel")));
    assertEquals("x", Files.readString(file));
  }

  @Test
  void readingADirectoryOrAMissingFileGivesClearErrors() {
    FileSystemException directory =
        assertThrows(FileSystemException.class, () -> ModelFile.read(dir));
    assertTrue(directory.getMessage().contains("is a directory"), directory.getMessage());

    Path missing = dir.resolve("nothing.dcmodel");
    NoSuchFileException none =
        assertThrows(NoSuchFileException.class, () -> ModelFile.read(missing));
    assertTrue(none.getMessage().contains("nothing.dcmodel"), none.getMessage());
  }

  @Test
  void aCorruptFileOnDiskNamesTheFile() throws IOException {
    Path target = dir.resolve("bad" + ModelFile.EXTENSION);
    byte[] bytes = ModelFile.toBytes(RandomModels.model(new Random(10)));
    Files.write(target, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(target));
    assertEquals(target.toString(), e.source());
    assertTrue(e.getMessage().startsWith(target.toString()), e.getMessage());
  }

  /** Bytes the current thread allocates while {@code action} runs. */
  private static long allocatedBy(Executable action) throws Throwable {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    action.execute();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void theMagicIsCheckedBeforeTheRestIsRead() throws Throwable {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero), "needs /dev/zero");
    long allocated =
        allocatedBy(
            () -> {
              ModelFormatException e =
                  assertThrows(ModelFormatException.class, () -> ModelFile.read(zero));
              assertEquals(0, e.offset());
              assertTrue(e.getMessage().contains("not a deepcompress model file"), e.getMessage());
            });
    assertTrue(allocated < 1 << 20, allocated + " bytes allocated");
  }

  @Test
  void aPipeIsRejectedAfterItsHeaderWithoutWaitingForItsEnd() throws Exception {
    Path fifo = dir.resolve("pipe");
    assumeTrue(
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "needs mkfifo");
    Thread writer =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  // Writes a wrong header and keeps the pipe open: the reader must not wait.
                  try (var out = Files.newOutputStream(fifo)) {
                    out.write(new byte[16]);
                    out.flush();
                    Thread.sleep(60_000);
                  } catch (IOException | InterruptedException e) {
                    // The reader closed the pipe or the test ended.
                  }
                });
    try {
      ModelFormatException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(10),
              () -> assertThrows(ModelFormatException.class, () -> ModelFile.read(fifo)));
      assertTrue(e.getMessage().contains("not a deepcompress model file"), e.getMessage());
    } finally {
      writer.interrupt();
    }
  }

  @Test
  void aFileLargerThanItsSectionsIsRejectedWithoutLoadingIt() throws Throwable {
    Path target = dir.resolve("padded" + ModelFile.EXTENSION);
    byte[] bytes = ModelFile.toBytes(RandomModels.model(new Random(11)));
    Files.write(target, bytes);
    try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw")) {
      file.setLength(1L << 30); // sparse: a gibibyte of zeros that takes no disk space
    }
    long allocated =
        allocatedBy(
            () -> {
              ModelFormatException e =
                  assertThrows(ModelFormatException.class, () -> ModelFile.read(target));
              assertEquals(bytes.length, e.offset());
              assertTrue(
                  e.getMessage().contains(((1L << 30) - bytes.length) + " unexpected bytes"),
                  e.getMessage());
            });
    assertTrue(allocated < 16L << 20, allocated + " bytes allocated");
  }

  /** The id of a process that has ended. */
  private static long deadProcessId() throws Exception {
    Process process = new ProcessBuilder("true").start();
    process.waitFor();
    return process.pid();
  }

  @Test
  void staleTemporariesOfOurNamingAreRemovedByTheNextWrite() throws Exception {
    // As a writer killed between fsync and rename leaves them.
    Path stale =
        Files.writeString(
            dir.resolve(".old.dcmodel.deepcompress-" + deadProcessId() + "-k3x.tmp"), "x");
    Path live =
        Files.writeString(
            dir.resolve(".busy.dcmodel.deepcompress-" + ProcessHandle.current().pid() + "-a1.tmp"),
            "x");
    Path foreign = Files.writeString(dir.resolve(".notes.txt.tmp"), "x");
    Path lookalike =
        Files.writeString(dir.resolve(".old.dcmodel." + deadProcessId() + "-k3x.tmp"), "x");
    ModelFile.write(RandomModels.model(new Random(12)), dir.resolve("m" + ModelFile.EXTENSION));
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(live));
    assertTrue(Files.exists(foreign));
    assertTrue(Files.exists(lookalike));
  }

  @Test
  void aFailedSyncNamesTheFileAndLeavesNothingBehind() throws IOException {
    Path target = dir.resolve("m" + ModelFile.EXTENSION);
    FileSystemException e =
        assertThrows(
            FileSystemException.class,
            () ->
                AtomicFile.write(
                    target,
                    ModelFile.toBytes(RandomModels.model(new Random(13))),
                    (path, options) -> new FailingSync(FileChannel.open(path, options))));
    assertEquals(target.toString(), e.getFile());
    assertTrue(e.getMessage().startsWith(target + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
    assertEquals(List.of(), listing(dir));
  }

  /** A channel whose data never reaches the disk: force fails as on a failing device. */
  private static final class FailingSync extends FileChannel {
    private final FileChannel channel;

    FailingSync(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return channel.write(src);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return channel.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return channel.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return channel.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return channel.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      channel.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      channel.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return channel.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      return channel.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return channel.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return channel.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return channel.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return channel.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      channel.close();
    }
  }
}
