package dev.deepcompress.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.deepcompress.huffman.CodeLengths;
import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanFormatException;
import dev.deepcompress.huffman.HuffmanStreams;
import java.nio.ByteBuffer;

/**
 * The Huffman decoders on their own, as the model reader calls them on a stream's bytes: the code
 * length table, and a whole stream (table, counts, payload) decoded to symbols. What they accept
 * must survive the encoder: a table re-serialised reads back equal, and decoded symbols encoded
 * again with the optimal code decode to the same symbols.
 */
class HuffmanFuzzTest {
  // Its messages name the byte or bit offset; the model reader turns them into offsets.
  private static final Untrusted.Rejection<HuffmanFormatException> REJECTION =
      Untrusted.Rejection.of(HuffmanFormatException.class);

  @FuzzTest
  void codeLengths(byte[] input) throws Exception {
    CodeLengths code = Untrusted.load(input, REJECTION, () -> CodeLengths.readFrom(wrap(input)));
    if (code == null) {
      return;
    }
    ByteBuffer serialised = ByteBuffer.allocate(code.serializedSize());
    code.writeTo(serialised);
    CodeLengths again = CodeLengths.readFrom(serialised.flip());
    if (!again.equals(code)) {
      throw new AssertionError(code + " reads back as " + again);
    }
    code.canonicalCodes();
  }

  @FuzzTest
  void stream(byte[] input) throws Exception {
    int[] symbols =
        Untrusted.load(
            input, REJECTION, () -> HuffmanStreams.decode(EncodedStream.readFrom(wrap(input))));
    if (symbols == null) {
      return;
    }
    int alphabet = EncodedStream.readFrom(wrap(input)).code().alphabetSize();
    int[] again = HuffmanStreams.decode(HuffmanStreams.encode(symbols, alphabet));
    if (!java.util.Arrays.equals(symbols, again)) {
      throw new AssertionError("decoded symbols do not survive encoding and decoding again");
    }
  }

  /** A buffer whose offsets are input offsets, as a section payload's are file offsets. */
  private static ByteBuffer wrap(byte[] input) {
    return ByteBuffer.wrap(input);
  }
}
