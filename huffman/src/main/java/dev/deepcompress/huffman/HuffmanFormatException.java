package dev.deepcompress.huffman;

import java.io.IOException;

/**
 * Corrupt or truncated Huffman data: a length table that is not a valid prefix code, a bit stream
 * that ends early, a bit pattern that is no codeword, or inconsistent counts. The message names the
 * structure and the byte or bit offset at which the problem was found.
 */
public class HuffmanFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public HuffmanFormatException(String message) {
    super(message);
  }
}
