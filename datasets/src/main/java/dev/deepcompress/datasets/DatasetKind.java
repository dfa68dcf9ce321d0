package dev.deepcompress.datasets;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The image classification data sets deepcompress can load. */
public enum DatasetKind {
  MNIST("mnist"),
  FASHION_MNIST("fashion-mnist");

  private final String cliName;

  DatasetKind(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line and for the cache subdirectory. */
  public String cliName() {
    return cliName;
  }

  /** Number of label classes; both data sets have ten. */
  public int classes() {
    return 10;
  }

  public static DatasetKind fromCliName(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (DatasetKind kind : values()) {
        if (kind.cliName.equals(wanted)) {
          return kind;
        }
      }
    }
    String valid =
        Arrays.stream(values()).map(DatasetKind::cliName).collect(Collectors.joining(", "));
    throw new IllegalArgumentException("unknown data set '" + name + "'; valid names: " + valid);
  }
}
