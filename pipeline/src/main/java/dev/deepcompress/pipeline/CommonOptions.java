package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.kernels.KernelThreads;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The command line as given, e.g. to repeat it: {@code deepcompress reproduce lenet-5 …}. */
  String typed() {
    StringBuilder line = new StringBuilder("deepcompress");
    for (String arg : command.commandLine().getParseResult().originalArgs()) {
      line.append(' ')
          .append(
              arg.matches("[A-Za-z0-9_./:=,+@%-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return line.toString();
  }

  void apply() {
    if (threads != null) {
      KernelThreads.setThreads(threads);
    }
  }
}
