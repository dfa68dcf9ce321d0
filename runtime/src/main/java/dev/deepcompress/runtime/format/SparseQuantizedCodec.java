package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanFormatException;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;

/**
 * Data of a SPARSE_QUANTIZED tensor (docs/model-format.md §5.2): bit widths, non-zero count,
 * codebook, then the Huffman-coded gap stream and index stream.
 *
 * <p>Gap symbols over {@code 0..2^gapBits-1}: symbol {@code F = 2^gapBits - 1} is a filler that
 * skips F zero elements and stores nothing; any other symbol s skips s zero elements and stores the
 * next element. Unlike the paper's filler (a stored zero weight), a filler here costs no index.
 */
final class SparseQuantizedCodec {
  private SparseQuantizedCodec() {}

  /** The tensor and, for size accounting, what its data cost. */
  record Decoded(
      SparseQuantizedTensor tensor,
      int fillers,
      long gapPayloadBits,
      long indexPayloadBits,
      long codebookBytes,
      long huffmanTableBytes) {}

  static void write(ByteWriter out, SparseQuantizedTensor tensor) {
    float[] codebook = tensor.codebook();
    int[] indices = indexSymbols(tensor.codes());
    out.u8(tensor.indexBits());
    out.u8(tensor.gapBits());
    out.u32(tensor.nonZeroCount());
    out.u16(codebook.length);
    out.floats(codebook);
    out.encodedStream(
        HuffmanStreams.encode(
            gapSymbols(tensor.positions(), tensor.gapBits()), 1 << tensor.gapBits()));
    out.encodedStream(HuffmanStreams.encode(indices, 1 << tensor.indexBits()));
  }

  /** The gap symbols for ascending positions; trailing zeros of the tensor need none. */
  /** The codebook indices of {@code codes} (unsigned bytes) as the index stream's symbols. */
  static int[] indexSymbols(byte[] codes) {
    int[] indices = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      indices[i] = Byte.toUnsignedInt(codes[i]);
    }
    return indices;
  }

  static int[] gapSymbols(int[] positions, int gapBits) {
    int filler = (1 << gapBits) - 1;
    long count = positions.length;
    int previous = -1;
    for (int p : positions) {
      count += (p - previous - 1) / filler;
      previous = p;
    }
    // At most one symbol per element, so the count fits an int.
    int[] symbols = new int[(int) count];
    int n = 0;
    previous = -1;
    for (int p : positions) {
      int gap = p - previous - 1;
      for (int f = gap / filler; f > 0; f--) {
        symbols[n++] = filler;
      }
      symbols[n++] = gap % filler;
      previous = p;
    }
    return symbols;
  }

  static Decoded read(ByteReader in, Shape shape) throws ModelFormatException {
    int elements = shape.elementCount();
    int indexBits = in.u8InRange("index bits", 1, SparseQuantizedTensor.MAX_INDEX_BITS);
    int gapBits = in.u8InRange("gap bits", 1, SparseQuantizedTensor.MAX_GAP_BITS);
    int nonZeros = in.u32InRange("non-zero count", 0, elements);
    int codebookAt = in.position();
    int codebookLength = in.u16("codebook length");
    if (codebookLength > 1 << indexBits || (codebookLength == 0 && nonZeros > 0)) {
      throw in.errorAt(
          codebookAt,
          "codebook length "
              + codebookLength
              + " is outside ["
              + (nonZeros > 0 ? 1 : 0)
              + ", "
              + (1 << indexBits)
              + "] for "
              + indexBits
              + "-bit indices and "
              + nonZeros
              + " non-zeros");
    }
    int entriesAt = in.position();
    float[] codebook = new float[codebookLength];
    in.floats(codebook);
    for (int k = 0; k < codebookLength; k++) {
      if (!Float.isFinite(codebook[k])) {
        throw in.errorAt(entriesAt + 4L * k, "codebook entry " + k + " is " + codebook[k]);
      }
    }

    Gaps gaps = readGaps(in, gapBits, nonZeros, elements);
    int[] positions = gaps.positions();

    int indexAt = in.position();
    EncodedStream indices = in.encodedStream("index stream");
    requireAlphabet(in, indexAt, "index stream", indices, indexBits);
    if (indices.symbolCount() != nonZeros) {
      throw in.errorAt(
          indexAt,
          "index stream has " + indices.symbolCount() + " symbols for " + nonZeros + " non-zeros");
    }
    int indexPayloadAt = in.position() - indices.payload().length;
    int[] symbols = decode(in, indexPayloadAt, "index stream", indices);
    byte[] codes = new byte[nonZeros];
    for (int i = 0; i < nonZeros; i++) {
      if (symbols[i] >= codebookLength) {
        throw in.errorAt(
            indexPayloadAt,
            "index stream: symbol "
                + i
                + " is index "
                + symbols[i]
                + " but the codebook has "
                + codebookLength
                + " entries");
      }
      codes[i] = (byte) symbols[i];
    }

    return new Decoded(
        new SparseQuantizedTensor(shape, codebook, positions, codes, indexBits, gapBits),
        gaps.fillers(),
        gaps.payloadBits(),
        indices.payloadBits(),
        2 + 4L * codebookLength,
        gaps.tableBytes() + indices.serializedSize() - indices.payload().length);
  }

  /**
   * The stored positions a gap stream gives, and what it cost: its fillers, payload bits, and the
   * bytes of its code table and counts.
   */
  record Gaps(int[] positions, int fillers, long payloadBits, long tableBytes) {}

  /** Reads and replays the gap stream of {@code stored} elements among {@code elements}. */
  static Gaps readGaps(ByteReader in, int gapBits, int stored, int elements)
      throws ModelFormatException {
    int gapAt = in.position();
    EncodedStream gaps = in.encodedStream("gap stream");
    requireAlphabet(in, gapAt, "gap stream", gaps, gapBits);
    // Every symbol advances by at least one element, and each stored element needs one.
    if (gaps.symbolCount() < stored || gaps.symbolCount() > elements) {
      throw in.errorAt(
          gapAt,
          "gap stream has "
              + gaps.symbolCount()
              + " symbols; "
              + stored
              + " non-zeros in "
              + elements
              + " elements need between "
              + stored
              + " and "
              + elements);
    }
    int gapPayloadAt = in.position() - gaps.payload().length;
    int[] positions =
        positions(
            in,
            gapPayloadAt,
            decode(in, gapPayloadAt, "gap stream", gaps),
            gapBits,
            stored,
            elements);
    return new Gaps(
        positions,
        gaps.symbolCount() - stored,
        gaps.payloadBits(),
        gaps.serializedSize() - gaps.payload().length);
  }

  static void requireAlphabet(ByteReader in, int at, String what, EncodedStream stream, int bits)
      throws ModelFormatException {
    if (stream.code().alphabetSize() != 1 << bits) {
      throw in.errorAt(
          at,
          what
              + " has an alphabet of "
              + stream.code().alphabetSize()
              + " symbols; "
              + bits
              + " bits need "
              + (1 << bits));
    }
  }

  static int[] decode(ByteReader in, int payloadAt, String what, EncodedStream stream)
      throws ModelFormatException {
    try {
      return HuffmanStreams.decode(stream);
    } catch (HuffmanFormatException e) {
      throw in.errorAt(payloadAt, what + " payload: " + e.getMessage());
    }
  }

  /** Replays the gap symbols; each check names the symbol that breaks it. */
  private static int[] positions(
      ByteReader in, int payloadAt, int[] symbols, int gapBits, int nonZeros, int elements)
      throws ModelFormatException {
    int filler = (1 << gapBits) - 1;
    int[] positions = new int[nonZeros];
    int stored = 0;
    long next = 0; // the element the next symbol starts from
    for (int i = 0; i < symbols.length; i++) {
      int s = symbols[i];
      if (s == filler) {
        next += filler;
        continue;
      }
      next += s;
      if (next >= elements || stored == nonZeros) {
        throw in.errorAt(
            payloadAt,
            "gap stream: symbol "
                + i
                + (stored == nonZeros
                    ? " stores a non-zero beyond the declared " + nonZeros
                    : " places a non-zero at element " + next + " of " + elements));
      }
      positions[stored++] = (int) next++;
    }
    if (stored != nonZeros) {
      throw in.errorAt(
          payloadAt, "gap stream stores " + stored + " non-zeros, " + nonZeros + " declared");
    }
    if (symbols.length > 0 && symbols[symbols.length - 1] == filler) {
      throw in.errorAt(payloadAt, "gap stream ends with a filler, which stores nothing");
    }
    return positions;
  }
}
