package dev.deepcompress.pipeline;

/** A request the user can fix (a bad combination of options, an unknown name). */
final class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserInputException(String message) {
    super(message);
  }
}
