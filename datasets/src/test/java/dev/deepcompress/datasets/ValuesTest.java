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

/** DatasetKind, ImageSet and DatasetOptions. */
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
  void subsetCopiesARange() {
    ImageSet set = Synthetic.images(6, 2, 2, 3);
    ImageSet sub = set.subset(2, 5);
    assertEquals(3, sub.count());
    assertEquals(4, sub.pixelsPerImage());
    for (int i = 0; i < 3; i++) {
      assertEquals(set.label(i + 2), sub.label(i));
      for (int p = 0; p < 4; p++) {
        assertEquals(set.pixels()[(i + 2) * 4 + p], sub.pixels()[i * 4 + p]);
      }
    }
    sub.pixels()[0]++;
    assertEquals((byte) (set.pixels()[8] + 1), sub.pixels()[0], "a copy, not a view");
    assertEquals(0, set.subset(6, 6).count());
    assertThrows(IllegalArgumentException.class, () -> set.subset(4, 7));
    assertThrows(IllegalArgumentException.class, () -> set.subset(3, 2));
  }

  @Test
  void labelsAreUnsignedAndShapesAreChecked() {
    ImageSet set = new ImageSet(1, 1, 2, new byte[2], new byte[] {(byte) 200});
    assertEquals(200, set.label(0));
    assertThrows(
        IllegalArgumentException.class, () -> new ImageSet(2, 1, 2, new byte[2], new byte[2]));
    assertThrows(
        IllegalArgumentException.class, () -> new ImageSet(1, 1, 2, new byte[2], new byte[2]));
    assertThrows(
        IllegalArgumentException.class, () -> new ImageSet(0, 0, 2, new byte[0], new byte[0]));
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
