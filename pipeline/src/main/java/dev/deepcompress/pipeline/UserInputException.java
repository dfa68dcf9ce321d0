package dev.deepcompress.pipeline;

import java.util.function.Supplier;

/** A request the user can fix (a bad combination of options, an unknown name). */
final class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserInputException(String message) {
    super(message);
  }

  /**
   * What {@code make} gives; an {@link IllegalArgumentException} it throws (a value the user gave
   * that the library rejects) becomes this exception with the same message.
   */
  static <T> T check(Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
  }
}
