package dev.deepcompress.onnx;

/**
 * An ONNX file that cannot be imported: not ONNX, damaged, or a model outside what the runtime can
 * run. The message is one line that names the file and, where there is one, the node, its operator
 * type and what is wrong.
 */
public final class OnnxImportException extends Exception {
  private static final long serialVersionUID = 1L;

  public OnnxImportException(String message) {
    super(message);
  }
}
