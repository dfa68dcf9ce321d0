package dev.deepcompress.pipeline;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code deepcompress} command line. */
@Command(
    name = "deepcompress",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Deep Compression: prune, quantize and Huffman-code neural networks.",
    footer = "%nThe launcher also runs the build with all its tests: ./deepcompress test",
    subcommands = {
      ReproduceCommand.class,
      TrainCommand.class,
      CompressCommand.class,
      SensitivityCommand.class,
      EvalCommand.class,
      InspectCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      CompareCommand.class,
      FiguresCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the process exit code (kept separate for tests). */
  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(new ErrorReporter());
    cli.setParameterExceptionHandler(ErrorReporter::reportUsageError);
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"deepcompress " + (version == null ? "(development build)" : version)};
    }
  }
}
