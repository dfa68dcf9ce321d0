package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.kernels.KernelThreads;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {
  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Option(
      names = "--threads",
      paramLabel = "N",
      converter = Converters.PositiveCount.class,
      description = "Threads for the kernels (default: all cores).")
  Integer threads;

  void apply() {
    if (threads != null) {
      KernelThreads.setThreads(threads);
    }
  }
}
