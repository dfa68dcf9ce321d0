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
      description = "Threads for the kernels (default: all cores).")
  Integer threads;

  void apply() {
    if (threads != null) {
      if (threads < 1) {
        throw new UserInputException("--threads must be at least 1, got " + threads);
      }
      KernelThreads.setThreads(threads);
    }
  }
}
