package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetException;
import dev.deepcompress.onnx.OnnxImportException;
import dev.deepcompress.runtime.format.ModelFormatException;
import dev.deepcompress.training.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns failures into one readable line and an exit code. A stack trace is printed only for a bug
 * (or with {@code --verbose}), never for a user's mistake.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  static final int USAGE = 2;
  static final int FAILED = 1;
  static final int INTERNAL = 70;

  @Override
  public int handleExecutionException(
      Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    boolean verbose =
        parseResult.subcommand() != null
            ? isVerbose(parseResult.subcommand())
            : isVerbose(parseResult);
    String message = userMessage(exception);
    if (message != null) {
      err.println("deepcompress: " + message);
      if (verbose) {
        exception.printStackTrace(err);
      }
      err.flush();
      return FAILED;
    }
    err.println("deepcompress: internal error: " + exception);
    if (verbose) {
      exception.printStackTrace(err);
    } else {
      err.println("deepcompress: run again with --verbose for the stack trace, and report it");
    }
    err.flush();
    return INTERNAL;
  }

  private static boolean isVerbose(CommandLine.ParseResult result) {
    return result.hasMatchedOption("--verbose");
  }

  /** The one-line explanation of an expected failure, or null for an unexpected one (a bug). */
  static String userMessage(Throwable exception) {
    return switch (exception) {
      case NoSuchFileException e -> "no such file: " + e.getFile();
      case AccessDeniedException e -> "permission denied: " + e.getFile();
      case FileSystemException e -> e.getMessage();
      case ModelFormatException e -> e.getMessage();
      case OnnxImportException e -> e.getMessage();
      case DatasetException e -> e.getMessage();
      case TrainingDivergedException e -> e.getMessage();
      case UserInputException e -> e.getMessage();
      case IOException e -> "I/O error: " + e.getMessage();
      case UncheckedIOException e -> e.getMessage();
      default -> null;
    };
  }

  static int reportUsageError(CommandLine.ParameterException exception, String[] args) {
    CommandLine cli = exception.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("deepcompress: " + exception.getMessage());
    err.println("Run '" + cli.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return USAGE;
  }
}
