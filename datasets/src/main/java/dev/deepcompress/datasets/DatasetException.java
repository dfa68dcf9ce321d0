package dev.deepcompress.datasets;

import java.io.IOException;

/** A data set could not be obtained or read; the message says what and where. */
public class DatasetException extends IOException {

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
