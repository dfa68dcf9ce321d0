package dev.deepcompress.runtime.format;

import dev.deepcompress.huffman.CodeLengths;
import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanFormatException;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;

/**
 * Data of a SPARSE_QUANTIZED tensor (docs/model-format.md §5.2): bit widths, non-zero count,
 * codebook, then the Huffman-coded gap stream and index stream; or of a SPARSE_QUANTIZED_CONTEXT
 * one (§5.5), whose indices are split by their left neighbour's index into several streams.
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

  /** Most neighbour buckets B a SPARSE_QUANTIZED_CONTEXT tensor may have. */
  static final int MAX_CONTEXT_BUCKETS = 16;

  /** Most neighbour buckets the writer tries. */
  private static final int WRITER_MAX_CONTEXT_BUCKETS = 8;

  /**
   * Writes the data of encoding 1, or of encoding 3 with {@code contextBuckets} neighbour buckets
   * if that is at least 1 ({@link #contextBuckets}).
   */
  static void write(ByteWriter out, SparseQuantizedTensor tensor, int contextBuckets) {
    float[] codebook = tensor.codebook();
    int[] indices = indexSymbols(tensor.codes());
    int alphabet = 1 << tensor.indexBits();
    out.u8(tensor.indexBits());
    out.u8(tensor.gapBits());
    out.u32(tensor.nonZeroCount());
    out.u16(codebook.length);
    out.floats(codebook);
    out.encodedStream(
        HuffmanStreams.encode(
            gapSymbols(tensor.positions(), tensor.gapBits()), 1 << tensor.gapBits()));
    if (contextBuckets == 0) {
      out.encodedStream(HuffmanStreams.encode(indices, alphabet));
      return;
    }
    out.u8(contextBuckets);
    int[] contexts = contexts(tensor.positions(), indices, tensor.indexBits(), contextBuckets);
    int[] sizes = new int[contextBuckets + 1];
    for (int c : contexts) {
      sizes[c]++;
    }
    int[][] streams = new int[contextBuckets + 1][];
    for (int c = 0; c <= contextBuckets; c++) {
      streams[c] = new int[sizes[c]];
    }
    int[] filled = new int[contextBuckets + 1];
    for (int j = 0; j < indices.length; j++) {
      streams[contexts[j]][filled[contexts[j]]++] = indices[j];
    }
    for (int[] stream : streams) {
      out.encodedStream(HuffmanStreams.encode(stream, alphabet));
    }
  }

  /**
   * The number of neighbour buckets (1..min(8, 2^q)) whose SPARSE_QUANTIZED_CONTEXT index streams
   * are smallest, or 0 if they are not smaller than the single index stream of SPARSE_QUANTIZED;
   * the fewest buckets on a tie. Deterministic: the writer's choice depends on the tensor alone.
   */
  static int contextBuckets(SparseQuantizedTensor tensor) {
    int[] indices = indexSymbols(tensor.codes());
    int[] positions = tensor.positions();
    int bits = tensor.indexBits();
    long best = streamBytes(HuffmanStreams.histogram(indices, 1 << bits));
    int chosen = 0;
    int most = Math.min(WRITER_MAX_CONTEXT_BUCKETS, 1 << bits);
    for (int buckets = 1; buckets <= most; buckets++) {
      long[][] counts = new long[buckets + 1][1 << bits];
      int[] contexts = contexts(positions, indices, bits, buckets);
      for (int j = 0; j < indices.length; j++) {
        counts[contexts[j]][indices[j]]++;
      }
      long bytes = 1; // the bucket count
      for (long[] histogram : counts) {
        bytes += streamBytes(histogram);
      }
      if (bytes < best) {
        best = bytes;
        chosen = buckets;
      }
    }
    return chosen;
  }

  private static long streamBytes(long[] histogram) {
    CodeLengths code = CodeLengths.fromFrequencies(histogram);
    return EncodedStream.serializedSize(code, code.encodedBits(histogram));
  }

  /**
   * The index stream of each stored element (§5.5): the bucket ⌊i · B / 2^q⌋ of the index i of the
   * element just before it, if that element is stored, otherwise B.
   */
  static int[] contexts(int[] positions, int[] indices, int indexBits, int buckets) {
    int[] contexts = new int[positions.length];
    for (int j = 0; j < positions.length; j++) {
      contexts[j] = context(positions, indices, j, indexBits, buckets);
    }
    return contexts;
  }

  /** The index stream of stored element {@code j}, from the indices before it. */
  private static int context(int[] positions, int[] indices, int j, int indexBits, int buckets) {
    return j > 0 && positions[j - 1] == positions[j] - 1
        ? (indices[j - 1] * buckets) >>> indexBits
        : buckets;
  }

  /** The codebook indices of {@code codes} (unsigned bytes) as the index stream's symbols. */
  static int[] indexSymbols(byte[] codes) {
    int[] indices = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      indices[i] = Byte.toUnsignedInt(codes[i]);
    }
    return indices;
  }

  /** The gap symbols for ascending positions; trailing zeros of the tensor need none. */
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

  /** Reads the data of encoding 1, or of encoding 3 if {@code contextIndices}. */
  static Decoded read(ByteReader in, Shape shape, boolean contextIndices)
      throws ModelFormatException {
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

    Indices indices =
        contextIndices
            ? readContextIndices(in, positions, indexBits, codebookLength)
            : readIndices(in, "index stream", true, indexBits, nonZeros, codebookLength);
    byte[] codes = new byte[nonZeros];
    for (int i = 0; i < nonZeros; i++) {
      codes[i] = (byte) indices.symbols()[i];
    }

    return new Decoded(
        new SparseQuantizedTensor(shape, codebook, positions, codes, indexBits, gapBits),
        gaps.fillers(),
        gaps.payloadBits(),
        indices.payloadBits(),
        2 + 4L * codebookLength,
        gaps.tableBytes() + indices.tableBytes());
  }

  /** Decoded indices, and their streams' payload bits and the bytes of their tables and counts. */
  private record Indices(int[] symbols, long payloadBits, long tableBytes) {}

  /**
   * One index stream: exactly {@code count} symbols if it is the {@code single} stream of a
   * non-zero count of {@code count}, at most {@code count} if it is one of several; each symbol
   * below {@code codebookLength}.
   */
  private static Indices readIndices(
      ByteReader in, String what, boolean single, int indexBits, int count, int codebookLength)
      throws ModelFormatException {
    int indexAt = in.position();
    EncodedStream indices = in.encodedStream(what);
    requireAlphabet(in, indexAt, what, indices, indexBits);
    if (single ? indices.symbolCount() != count : indices.symbolCount() > count) {
      throw in.errorAt(
          indexAt,
          what
              + " has "
              + indices.symbolCount()
              + " symbols for "
              + (single ? count + " non-zeros" : "the " + count + " non-zeros left"));
    }
    int indexPayloadAt = in.position() - indices.payload().length;
    int[] symbols = decode(in, indexPayloadAt, what, indices);
    for (int i = 0; i < symbols.length; i++) {
      if (symbols[i] >= codebookLength) {
        throw in.errorAt(
            indexPayloadAt,
            what
                + ": symbol "
                + i
                + " is index "
                + symbols[i]
                + " but the codebook has "
                + codebookLength
                + " entries");
      }
    }
    return new Indices(
        symbols, indices.payloadBits(), indices.serializedSize() - indices.payload().length);
  }

  /**
   * The bucket count and the B + 1 index streams of encoding 3, merged back into one index per
   * stored element in the order the stored elements' contexts take them.
   */
  private static Indices readContextIndices(
      ByteReader in, int[] positions, int indexBits, int codebookLength)
      throws ModelFormatException {
    // More buckets than indices would only add streams that stay empty.
    int buckets = in.u8InRange("context buckets", 1, Math.min(MAX_CONTEXT_BUCKETS, 1 << indexBits));
    int stored = positions.length;
    int[][] streams = new int[buckets + 1][];
    int[] streamAt = new int[buckets + 1];
    int left = stored;
    long payloadBits = 0;
    long tableBytes = 0;
    for (int c = 0; c <= buckets; c++) {
      streamAt[c] = in.position();
      Indices stream = readIndices(in, "index stream " + c, false, indexBits, left, codebookLength);
      streams[c] = stream.symbols();
      left -= streams[c].length;
      payloadBits += stream.payloadBits();
      tableBytes += stream.tableBytes();
    }
    if (left != 0) {
      throw in.errorAt(
          streamAt[0],
          "index streams hold " + (stored - left) + " symbols for " + stored + " non-zeros");
    }
    int[] symbols = new int[stored];
    int[] taken = new int[buckets + 1];
    for (int j = 0; j < stored; j++) {
      int c = context(positions, symbols, j, indexBits, buckets);
      if (taken[c] == streams[c].length) {
        throw in.errorAt(
            streamAt[c],
            "index stream "
                + c
                + " has "
                + streams[c].length
                + " symbols, but non-zero "
                + j
                + " needs one more");
      }
      symbols[j] = streams[c][taken[c]++];
    }
    return new Indices(symbols, payloadBits, tableBytes);
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
