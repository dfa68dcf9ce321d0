package dev.deepcompress.bench;

import dev.deepcompress.huffman.CodeLengths;
import dev.deepcompress.huffman.EncodedStream;
import java.util.Arrays;

/**
 * Exact sizes, in bytes, of ways to code one layer's position gaps and codebook indices, for
 * comparing them with the file format's fixed-width gaps and Huffman-coded indices.
 *
 * <p>Positions are given as run lengths: the number of pruned elements before each stored one
 * (docs/model-format.md §5.2). Every coded stream is charged what the file charges its Huffman
 * streams besides the payload: {@value #STREAM_COUNTS_BYTES} bytes of symbol and bit counts, plus
 * the scheme's own side information (a code table, a parameter byte), and its payload is rounded up
 * to whole bytes. Entropies are bounds, charged nothing but their bits rounded up to bytes.
 */
final class CodingCosts {
  /** A Huffman stream's symbol count (u32) and payload bit count (u64), as in the file. */
  static final int STREAM_COUNTS_BYTES = 12;

  /** What an arithmetic or rANS coder flushes after the last symbol: its 32-bit state. */
  static final int CODER_FLUSH_BITS = 32;

  /** Bytes of a scheme's one-byte parameter (a Rice or Golomb parameter, an escape threshold). */
  static final int PARAMETER_BYTES = 1;

  /** Frequency precisions, in bits, a static rANS table is tried at. */
  static final int MIN_PRECISION_BITS = 8;

  static final int MAX_PRECISION_BITS = 14;

  private CodingCosts() {}

  /** The smallest size a family of schemes reached and the parameter that reached it. */
  record Best(String parameter, long bytes) {}

  static long bytes(long bits) {
    return (bits + 7) >>> 3;
  }

  /** Pruned elements before each stored one; the zeros after the last one need no code. */
  static int[] runLengths(int[] positions) {
    int[] runs = new int[positions.length];
    int previous = -1;
    for (int i = 0; i < positions.length; i++) {
      runs[i] = positions[i] - previous - 1;
      previous = positions[i];
    }
    return runs;
  }

  /** Occurrences of each value 0..max(values) (one zero entry for no values). */
  static long[] histogram(int[] values) {
    int max = 0;
    for (int v : values) {
      max = Math.max(max, v);
    }
    long[] counts = new long[max + 1];
    for (int v : values) {
      counts[v]++;
    }
    return counts;
  }

  static long total(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total;
  }

  /** Order-0 empirical entropy of a histogram, in bits: the sum of c·log2(total / c). */
  static double entropyBits(long[] counts) {
    double total = total(counts);
    double bits = 0;
    for (long c : counts) {
      if (c > 0) {
        bits += c * log2(total / c);
      }
    }
    return bits;
  }

  /** Bytes of the entropy bound: {@link #entropyBits} rounded up to whole bytes. */
  static long entropyBytes(long[] counts) {
    return bytes((long) Math.ceil(entropyBits(counts)));
  }

  /**
   * A stream coded with the file's Huffman code (optimal, at most 15-bit codewords) for {@code
   * counts}, plus {@code extraBits} of payload outside the code: table, counts and payload bytes.
   */
  static long huffmanStreamBytes(long[] counts, long extraBits) {
    CodeLengths code = CodeLengths.fromFrequencies(counts);
    return EncodedStream.serializedSize(code, code.encodedBits(counts) + extraBits);
  }

  /** Bytes of the payload alone of {@link #huffmanStreamBytes}{@code (counts, 0)}. */
  static long huffmanPayloadBytes(long[] counts) {
    return bytes(CodeLengths.fromFrequencies(counts).encodedBits(counts));
  }

  /**
   * Symbol counts of the file's gap stream with {@code gapBits}-bit symbols: each run r becomes ⌊r
   * / F⌋ fillers F = 2^b − 1 and the symbol r mod F.
   */
  static long[] fillerCounts(long[] runs, int gapBits) {
    int filler = (1 << gapBits) - 1;
    long[] counts = new long[1 << gapBits];
    for (int r = 0; r < runs.length; r++) {
      counts[filler] += runs[r] * (r / filler);
      counts[r % filler] += runs[r];
    }
    return counts;
  }

  /** The file's gap stream with {@code gapBits}-bit symbols, Huffman-coded over 2^b symbols. */
  static long fillerHuffmanBytes(long[] runs, int gapBits) {
    return huffmanStreamBytes(fillerCounts(runs, gapBits), 0);
  }

  /** The file's gap stream at its best width 1..8. */
  static Best bestFillerHuffman(long[] runs) {
    Best best = null;
    for (int b = 1; b <= 8; b++) {
      best = smaller(best, "b=" + b, fillerHuffmanBytes(runs, b));
    }
    return best;
  }

  /** Symbols 0..escape−1 stand for themselves; symbol {@code escape} for every longer run. */
  private static long[] escapedCounts(long[] runs, int escape) {
    long[] counts = new long[escape + 1];
    for (int r = 0; r < runs.length; r++) {
      counts[Math.min(r, escape)] += runs[r];
    }
    return counts;
  }

  /** Bits the escaped runs take after their escape symbol: Elias gamma of r − escape + 1. */
  private static long escapeTailBits(long[] runs, int escape) {
    long bits = 0;
    for (int r = escape; r < runs.length; r++) {
      bits += runs[r] * gammaBits(r - escape + 1L);
    }
    return bits;
  }

  /**
   * Huffman over run lengths 0..E−1 plus an escape symbol E, which is followed by the Elias gamma
   * code of r − E + 1; the escape E is the parameter byte (E up to 255 is tried, and E past the
   * longest run, which never escapes).
   */
  static long escapeHuffmanBytes(long[] runs, int escape) {
    return huffmanStreamBytes(escapedCounts(runs, escape), escapeTailBits(runs, escape))
        + PARAMETER_BYTES;
  }

  static Best bestEscapeHuffman(long[] runs) {
    Best best = null;
    for (int e = 1; e <= escapeLimit(runs); e++) {
      best = smaller(best, "E=" + e, escapeHuffmanBytes(runs, e));
    }
    return best;
  }

  /** Escapes tried: up to 255 (one parameter byte), and none beyond one past the longest run. */
  private static int escapeLimit(long[] runs) {
    return Math.min(runs.length, 255);
  }

  /** Golomb–Rice with parameter k: ⌊r / 2^k⌋ in unary (with its stop bit), then k low bits. */
  static long riceBytes(long[] runs, int k) {
    long bits = 0;
    for (int r = 0; r < runs.length; r++) {
      bits += runs[r] * ((r >>> k) + 1 + k);
    }
    return bytes(bits) + STREAM_COUNTS_BYTES + PARAMETER_BYTES;
  }

  static Best bestRice(long[] runs) {
    Best best = null;
    for (int k = 0; k <= 15; k++) {
      best = smaller(best, "k=" + k, riceBytes(runs, k));
    }
    return best;
  }

  /**
   * Golomb with modulus m: ⌊r / m⌋ in unary, then r mod m in truncated binary (⌈log2 m⌉ − 1 bits
   * for the 2^⌈log2 m⌉ − m smallest remainders, ⌈log2 m⌉ bits for the others).
   */
  static long golombBytes(long[] runs, int m) {
    int width = 32 - Integer.numberOfLeadingZeros(m - 1);
    int shortOnes = (1 << width) - m;
    long bits = 0;
    for (int r = 0; r < runs.length; r++) {
      int remainder = r % m;
      bits += runs[r] * (r / m + 1 + (remainder < shortOnes ? width - 1 : width));
    }
    return bytes(bits) + STREAM_COUNTS_BYTES + PARAMETER_BYTES;
  }

  /** Moduli up to 255 (one parameter byte). */
  static Best bestGolomb(long[] runs) {
    Best best = null;
    for (int m = 1; m <= 255; m++) {
      best = smaller(best, "m=" + m, golombBytes(runs, m));
    }
    return best;
  }

  /** Exponential-Golomb of order k: Elias gamma of ⌊r / 2^k⌋ + 1, then k low bits. */
  static long expGolombBytes(long[] runs, int k) {
    long bits = 0;
    for (int r = 0; r < runs.length; r++) {
      bits += runs[r] * (gammaBits((r >>> k) + 1L) + k);
    }
    return bytes(bits) + STREAM_COUNTS_BYTES + PARAMETER_BYTES;
  }

  static Best bestExpGolomb(long[] runs) {
    Best best = null;
    for (int k = 0; k <= 15; k++) {
      best = smaller(best, "k=" + k, expGolombBytes(runs, k));
    }
    return best;
  }

  /** Length of the Elias gamma code of {@code x ≥ 1}: 2⌊log2 x⌋ + 1. */
  static int gammaBits(long x) {
    return 2 * (63 - Long.numberOfLeadingZeros(x)) + 1;
  }

  /**
   * Static rANS over {@code counts} with frequencies normalised to 2^precision: payload Σ c·(p −
   * log2 f) bits plus the flushed state; table one 4-bit precision field plus the Elias gamma code
   * of f + 1 for every symbol of the alphabet; plus {@code extraBits} of payload outside the code.
   * −1 if the alphabet's used symbols do not fit the precision.
   */
  static long staticAnsBytes(long[] counts, int precision, long extraBits) {
    long[] freqs = normalise(counts, 1L << precision);
    if (freqs == null) {
      return -1;
    }
    double payload = 0;
    long tableBits = 4;
    for (int s = 0; s < counts.length; s++) {
      if (counts[s] > 0) {
        payload += counts[s] * (precision - log2(freqs[s]));
      }
      tableBits += gammaBits(freqs[s] + 1);
    }
    return bytes((long) Math.ceil(payload) + CODER_FLUSH_BITS + extraBits)
        + bytes(tableBits)
        + STREAM_COUNTS_BYTES;
  }

  static Best bestStaticAns(long[] counts) {
    return bestStaticAns(counts, 0, "");
  }

  private static Best bestStaticAns(long[] counts, long extraBits, String label) {
    Best best = null;
    for (int p = MIN_PRECISION_BITS; p <= MAX_PRECISION_BITS; p++) {
      long size = staticAnsBytes(counts, p, extraBits);
      if (size >= 0) {
        best = smaller(best, label + "p=" + p, size);
      }
    }
    return best;
  }

  /** Static rANS over run lengths with an escape as {@link #escapeHuffmanBytes}. */
  static Best bestEscapeStaticAns(long[] runs) {
    Best best = null;
    for (int e = 1; e <= escapeLimit(runs); e++) {
      Best atE = bestStaticAns(escapedCounts(runs, e), escapeTailBits(runs, e), "E=" + e + ", ");
      if (atE != null) {
        best = smaller(best, atE.parameter(), atE.bytes() + PARAMETER_BYTES);
      }
    }
    return best;
  }

  /**
   * Frequencies summing to {@code scale}, each used symbol at least 1: counts scaled and rounded,
   * the rounding error taken from or given to the most frequent symbol. Null if that symbol cannot
   * absorb it.
   */
  static long[] normalise(long[] counts, long scale) {
    long total = total(counts);
    long[] freqs = new long[counts.length];
    long sum = 0;
    int largest = 0;
    for (int s = 0; s < counts.length; s++) {
      if (counts[s] > 0) {
        freqs[s] = Math.max(1, Math.round((double) counts[s] * scale / total));
        sum += freqs[s];
      }
      if (counts[s] > counts[largest]) {
        largest = s;
      }
    }
    freqs[largest] += scale - sum;
    return freqs[largest] >= 1 ? freqs : null;
  }

  /**
   * Adaptive arithmetic coding of {@code symbols} over {@code alphabet} symbols with the
   * Krichevsky–Trofimov estimator per context (the previous symbol when {@code order} is 1, none
   * when 0): no table, payload Σ −log2 p plus the flushed state.
   */
  static long adaptiveBytes(int[] symbols, int alphabet, int order) {
    return adaptiveStreamBytes(adaptiveBits(symbols, alphabet, order), 0);
  }

  /** The code length {@link #adaptiveBytes} rounds up, in bits. */
  static double adaptiveBits(int[] symbols, int alphabet, int order) {
    int[] contexts = new int[symbols.length];
    for (int i = 1; i < symbols.length && order == 1; i++) {
      contexts[i] = symbols[i - 1];
    }
    return adaptiveBits(symbols, alphabet, contexts, order == 0 ? 1 : alphabet);
  }

  /** Krichevsky–Trofimov code length of {@code symbols}, each in its own context's statistics. */
  private static double adaptiveBits(
      int[] symbols, int alphabet, int[] contexts, int contextCount) {
    double[][] counts = new double[contextCount][alphabet];
    double[] totals = new double[contextCount];
    double bits = 0;
    for (int i = 0; i < symbols.length; i++) {
      int context = contexts[i];
      int s = symbols[i];
      bits -= log2((counts[context][s] + 0.5) / (totals[context] + alphabet / 2.0));
      counts[context][s]++;
      totals[context]++;
    }
    return bits;
  }

  /**
   * Adaptive arithmetic coding of the indices with, as context, the index of the element {@code
   * distance} positions before each stored one, or a context of its own where that element is not
   * stored (the decoder knows the positions first).
   */
  static long neighbourContextBytes(int[] positions, int[] indices, int alphabet, int distance) {
    int[] contexts = neighbourContexts(positions, indices, alphabet, distance);
    return adaptiveStreamBytes(adaptiveBits(indices, alphabet, contexts, alphabet + 1), 0);
  }

  /** Each index's context for {@link #neighbourContextBytes}: that index, or {@code alphabet}. */
  static int[] neighbourContexts(int[] positions, int[] indices, int alphabet, int distance) {
    int[] contexts = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int j = Arrays.binarySearch(positions, 0, i, positions[i] - distance);
      contexts[i] = j >= 0 ? indices[j] : alphabet;
    }
    return contexts;
  }

  /** {@link #neighbourContextBytes} at the best distance up to 255 (a parameter byte). */
  static Best bestNeighbourContext(int[] positions, int[] indices, int alphabet) {
    Best best = null;
    for (int d = 1; d <= 255; d++) {
      best =
          smaller(
              best,
              "d=" + d,
              neighbourContextBytes(positions, indices, alphabet, d) + PARAMETER_BYTES);
    }
    return best;
  }

  private static long adaptiveStreamBytes(double bits, long extraBits) {
    return bytes((long) Math.ceil(bits) + CODER_FLUSH_BITS + extraBits) + STREAM_COUNTS_BYTES;
  }

  /**
   * Adaptive order-0 arithmetic coding of run lengths with an escape as {@link
   * #escapeHuffmanBytes}, at the best escape up to 255.
   */
  static Best bestEscapeAdaptive(int[] runLengths, long[] runs) {
    Best best = null;
    int[] symbols = new int[runLengths.length];
    for (int e = 1; e <= escapeLimit(runs); e++) {
      for (int i = 0; i < symbols.length; i++) {
        symbols[i] = Math.min(runLengths[i], e);
      }
      long size =
          adaptiveStreamBytes(adaptiveBits(symbols, e + 1, 0), escapeTailBits(runs, e))
              + PARAMETER_BYTES;
      best = smaller(best, "E=" + e, size);
    }
    return best;
  }

  /** Sizes of the index streams of encoding 3 (docs/model-format.md §5.5) with B buckets. */
  record ContextStreams(long bytes, long payloadBits, long tableBytes) {}

  /**
   * Encoding 3's index streams: the index of an element right after a stored element of index i
   * goes to stream ⌊i·B / 2^q⌋, every other one (the first, and those after a pruned element) to
   * stream B. {@code bytes} includes the bucket-count byte; {@code tableBytes} the streams' tables
   * and counts.
   */
  static ContextStreams contextStreams(
      int[] runLengths, int[] indices, int indexBits, int buckets) {
    long[][] counts = new long[buckets + 1][1 << indexBits];
    for (int j = 0; j < indices.length; j++) {
      boolean afterStored = j > 0 && runLengths[j] == 0;
      counts[afterStored ? indices[j - 1] * buckets >> indexBits : buckets][indices[j]]++;
    }
    long bytes = PARAMETER_BYTES;
    long payloadBits = 0;
    long tableBytes = 0;
    for (long[] histogram : counts) {
      CodeLengths code = CodeLengths.fromFrequencies(histogram);
      long bits = code.encodedBits(histogram);
      bytes += EncodedStream.serializedSize(code, bits);
      payloadBits += bits;
      tableBytes += EncodedStream.serializedSize(code, 0);
    }
    return new ContextStreams(bytes, payloadBits, tableBytes);
  }

  /**
   * The bucket count 1..min(8, 2^q) that makes {@link #contextStreams} smallest, the fewest on a
   * tie.
   */
  static int bestContextBuckets(int[] runLengths, int[] indices, int indexBits) {
    int chosen = 1;
    long best = Long.MAX_VALUE;
    for (int b = 1; b <= Math.min(8, 1 << indexBits); b++) {
      long bytes = contextStreams(runLengths, indices, indexBits, b).bytes();
      if (bytes < best) {
        best = bytes;
        chosen = b;
      }
    }
    return chosen;
  }

  /** One bit per element up to the last stored one. */
  static long bitmapBytes(int[] positions) {
    return positions.length == 0 ? 0 : bytes(positions[positions.length - 1] + 1L);
  }

  /**
   * The bitmap of {@link #bitmapBytes} coded by an adaptive binary arithmetic coder
   * (Krichevsky–Trofimov estimator), plus the stream counts.
   */
  static long adaptiveBitmapBytes(int[] positions) {
    if (positions.length == 0) {
      return STREAM_COUNTS_BYTES;
    }
    double bits = 0;
    long ones = 0;
    long seen = 0;
    int next = 0;
    for (int p = 0; p <= positions[positions.length - 1]; p++) {
      boolean stored = positions[next] == p;
      bits -= log2(((stored ? ones : seen - ones) + 0.5) / (seen + 1.0));
      if (stored) {
        ones++;
        next++;
      }
      seen++;
    }
    return adaptiveStreamBytes(bits, 0);
  }

  private static Best smaller(Best best, String parameter, long bytes) {
    return best == null || bytes < best.bytes() ? new Best(parameter, bytes) : best;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
