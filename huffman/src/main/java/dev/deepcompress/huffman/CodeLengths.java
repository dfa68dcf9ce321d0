package dev.deepcompress.huffman;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * The code length of every symbol of an alphabet, which is all a canonical Huffman code needs:
 * codewords follow from the lengths by {@link #canonicalCodes()}. Length 0 means the symbol has no
 * codeword.
 *
 * <p>Every instance is a valid prefix code in one of three shapes: no symbol has a code; exactly
 * one symbol has a code, of length 1; or at least two symbols have codes and the code is complete
 * (Kraft sum exactly 1). Over-subscribed tables (Kraft sum above 1) are not prefix codes. Among
 * incomplete tables only the one-symbol shape is accepted, because {@link #fromFrequencies} never
 * builds any other and a hole in a code read from a file is a sign of corruption.
 *
 * <h2>Serialised form</h2>
 *
 * Three header bytes: the alphabet size as an unsigned 16-bit little-endian integer (1..32768),
 * then one byte holding the longest code length L (0..15) in its low nibble and the body mode in
 * its high nibble. The body is a bit stream (least significant bit first, see {@link BitWriter})
 * padded with zero bits to a whole byte, in which every length is a field of w bits, w being the
 * number of bits needed to write L:
 *
 * <ul>
 *   <li>mode 0, packed: one field per symbol;
 *   <li>mode 1, runs: for each run of equal lengths, the length field, then the run length r (&ge;
 *       1) as z zero bits, a one bit and the low z bits of r, where z = floor(log2 r).
 * </ul>
 *
 * The writer picks the smaller mode (packed on a tie), so a flat table of 256 equal lengths takes 6
 * bytes and a varied one at most 3 + 128 bytes.
 */
public final class CodeLengths {
  /** Longest codeword any table may have. */
  public static final int MAX_CODE_LENGTH = 15;

  /** Largest alphabet: every symbol of it can still get a codeword of at most 15 bits. */
  public static final int MAX_ALPHABET_SIZE = 1 << MAX_CODE_LENGTH;

  /**
   * Largest total frequency {@link #fromFrequencies} accepts; package weights, which sum up to 15
   * times the total, then cannot overflow a long.
   */
  public static final long MAX_TOTAL_FREQUENCY = Long.MAX_VALUE >> 4;

  private static final int HEADER_BYTES = 3;
  private static final int MODE_PACKED = 0;
  private static final int MODE_RUNS = 1;

  private final byte[] lengths;
  private final int longest;
  private final int usedSymbols;
  private final int mode;
  private final long bodyBits;

  private CodeLengths(byte[] lengths) {
    this.lengths = lengths;
    int max = 0;
    int used = 0;
    for (byte length : lengths) {
      max = Math.max(max, length);
      used += length != 0 ? 1 : 0;
    }
    this.longest = max;
    this.usedSymbols = used;
    int width = fieldWidth(max);
    long packedBits = (long) lengths.length * width;
    long runBits = 0;
    for (int i = 0; i < lengths.length; ) {
      int run = runLength(lengths, i);
      runBits += width + runCodeBits(run);
      i += run;
    }
    this.mode = runBits < packedBits ? MODE_RUNS : MODE_PACKED;
    this.bodyBits = Math.min(runBits, packedBits);
  }

  /** Optimal code lengths limited to {@link #MAX_CODE_LENGTH} bits. */
  public static CodeLengths fromFrequencies(long[] frequencies) {
    return fromFrequencies(frequencies, MAX_CODE_LENGTH);
  }

  /**
   * Code lengths that minimise the encoded size {@code sum(frequency[s] * length[s])} among all
   * prefix codes whose codewords are at most {@code maxCodeLength} bits (package-merge). When the
   * limit does not bind this is a Huffman code. Symbols of frequency 0 get no code; a single used
   * symbol gets a 1-bit code. Ties are broken by symbol number, so the result is deterministic.
   *
   * @param frequencies one non-negative count per symbol; its length is the alphabet size
   *     (1..{@link #MAX_ALPHABET_SIZE}), its sum at most {@link #MAX_TOTAL_FREQUENCY}
   * @param maxCodeLength 1..{@link #MAX_CODE_LENGTH}, and large enough that every used symbol can
   *     have a codeword: {@code 2^maxCodeLength >= used symbols}
   * @throws IllegalArgumentException if any of those conditions does not hold
   */
  public static CodeLengths fromFrequencies(long[] frequencies, int maxCodeLength) {
    Objects.requireNonNull(frequencies, "frequencies");
    if (frequencies.length < 1 || frequencies.length > MAX_ALPHABET_SIZE) {
      throw new IllegalArgumentException(
          "alphabet size " + frequencies.length + " is outside 1.." + MAX_ALPHABET_SIZE);
    }
    if (maxCodeLength < 1 || maxCodeLength > MAX_CODE_LENGTH) {
      throw new IllegalArgumentException(
          "maximum code length " + maxCodeLength + " is outside 1.." + MAX_CODE_LENGTH);
    }
    long total = 0;
    int used = 0;
    for (int s = 0; s < frequencies.length; s++) {
      long f = frequencies[s];
      if (f < 0) {
        throw new IllegalArgumentException("symbol " + s + " has negative frequency " + f);
      }
      total += f;
      if (total > MAX_TOTAL_FREQUENCY || total < 0) {
        throw new IllegalArgumentException(
            "total frequency exceeds " + MAX_TOTAL_FREQUENCY + " at symbol " + s);
      }
      used += f > 0 ? 1 : 0;
    }
    if (used > 1 << maxCodeLength) {
      throw new IllegalArgumentException(
          used + " used symbols cannot all have codewords of at most " + maxCodeLength + " bits");
    }
    byte[] lengths = new byte[frequencies.length];
    Integer[] order = new Integer[used];
    for (int s = 0, k = 0; s < frequencies.length; s++) {
      if (frequencies[s] > 0) {
        order[k++] = s;
      }
    }
    if (used == 1) {
      lengths[order[0]] = 1;
    } else if (used > 1) {
      // A stable sort of symbols listed in ascending order breaks frequency ties by symbol.
      Arrays.sort(order, Comparator.comparingLong(s -> frequencies[s]));
      long[] weights = new long[used];
      for (int i = 0; i < used; i++) {
        weights[i] = frequencies[order[i]];
      }
      int[] sortedLengths = packageMerge(weights, maxCodeLength);
      for (int i = 0; i < used; i++) {
        lengths[order[i]] = (byte) sortedLengths[i];
      }
    }
    return new CodeLengths(lengths);
  }

  /**
   * The code with the given lengths (one per symbol, 0 for no code).
   *
   * @throws IllegalArgumentException if the lengths are not one of the accepted shapes described in
   *     the class comment
   */
  public static CodeLengths of(int... lengths) {
    Objects.requireNonNull(lengths, "lengths");
    if (lengths.length < 1 || lengths.length > MAX_ALPHABET_SIZE) {
      throw new IllegalArgumentException(
          "alphabet size " + lengths.length + " is outside 1.." + MAX_ALPHABET_SIZE);
    }
    byte[] copy = new byte[lengths.length];
    for (int s = 0; s < lengths.length; s++) {
      if (lengths[s] < 0 || lengths[s] > MAX_CODE_LENGTH) {
        throw new IllegalArgumentException(
            "symbol " + s + " has length " + lengths[s] + ", outside 0.." + MAX_CODE_LENGTH);
      }
      copy[s] = (byte) lengths[s];
    }
    String problem = prefixCodeProblem(copy);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new CodeLengths(copy);
  }

  /** Number of symbols in the alphabet, used or not. */
  public int alphabetSize() {
    return lengths.length;
  }

  /** Codeword length of {@code symbol}, 0 if it has none. */
  public int length(int symbol) {
    Objects.checkIndex(symbol, lengths.length);
    return lengths[symbol];
  }

  /** All lengths, indexed by symbol. */
  public int[] lengths() {
    int[] out = new int[lengths.length];
    for (int s = 0; s < lengths.length; s++) {
      out[s] = lengths[s];
    }
    return out;
  }

  /** Length of the longest codeword, 0 if no symbol has one. */
  public int longestLength() {
    return longest;
  }

  /** Number of symbols that have a codeword. */
  public int usedSymbols() {
    return usedSymbols;
  }

  /**
   * The canonical codewords: symbols ordered by (length, symbol) receive consecutive binary
   * numbers, each shifted left when the length grows. Entry {@code s} holds the codeword of symbol
   * {@code s} with its first bit as the most significant of {@code length(s)} bits; 0 for symbols
   * without a code.
   */
  public int[] canonicalCodes() {
    int[] perLength = new int[MAX_CODE_LENGTH + 1];
    for (byte length : lengths) {
      perLength[length]++;
    }
    perLength[0] = 0;
    int[] next = new int[MAX_CODE_LENGTH + 1];
    int code = 0;
    for (int length = 1; length <= MAX_CODE_LENGTH; length++) {
      code = (code + perLength[length - 1]) << 1;
      next[length] = code;
    }
    int[] codes = new int[lengths.length];
    for (int s = 0; s < lengths.length; s++) {
      if (lengths[s] != 0) {
        codes[s] = next[lengths[s]]++;
      }
    }
    return codes;
  }

  /**
   * Exact size in bits of a stream with the given symbol counts under this code.
   *
   * @throws IllegalArgumentException if the array length is not the alphabet size, a count is
   *     negative, or a symbol without a code has a positive count
   */
  public long encodedBits(long[] frequencies) {
    if (frequencies.length != lengths.length) {
      throw new IllegalArgumentException(
          frequencies.length + " frequencies for an alphabet of " + lengths.length);
    }
    long bits = 0;
    for (int s = 0; s < lengths.length; s++) {
      long f = frequencies[s];
      if (f < 0) {
        throw new IllegalArgumentException("symbol " + s + " has negative frequency " + f);
      }
      if (f > 0 && lengths[s] == 0) {
        throw new IllegalArgumentException(
            "symbol " + s + " occurs " + f + " times but has no code");
      }
      bits = Math.addExact(bits, Math.multiplyExact(f, lengths[s]));
    }
    return bits;
  }

  /** Bytes {@link #writeTo} writes. */
  public int serializedSize() {
    return HEADER_BYTES + (int) ((bodyBits + 7) >>> 3);
  }

  /**
   * Writes the serialised form (see the class comment) at the buffer's position and advances it.
   *
   * @throws BufferOverflowException if fewer than {@link #serializedSize()} bytes remain
   */
  public void writeTo(ByteBuffer out) {
    if (out.remaining() < serializedSize()) {
      throw new BufferOverflowException();
    }
    int n = lengths.length;
    out.put((byte) n).put((byte) (n >>> 8)).put((byte) (mode << 4 | longest));
    int width = fieldWidth(longest);
    BitWriter body = new BitWriter((int) ((bodyBits + 7) >>> 3));
    if (mode == MODE_PACKED) {
      for (byte length : lengths) {
        body.writeBits(length, width);
      }
    } else {
      for (int i = 0; i < n; ) {
        int run = runLength(lengths, i);
        body.writeBits(lengths[i], width);
        int z = 31 - Integer.numberOfLeadingZeros(run);
        body.writeBits(1 << z, z + 1);
        body.writeBits(run & ((1 << z) - 1), z);
        i += run;
      }
    }
    out.put(body.toByteArray());
  }

  /**
   * Reads a serialised table at the buffer's position and advances past it.
   *
   * @throws HuffmanFormatException naming the byte offset of the table if it is truncated, its
   *     alphabet size or mode is invalid, a length exceeds the declared longest length, a run
   *     overruns the alphabet, the padding is not zero, or the lengths are not a prefix code of an
   *     accepted shape (for instance over-subscribed)
   */
  public static CodeLengths readFrom(ByteBuffer in) throws HuffmanFormatException {
    int start = in.position();
    String where = "Huffman length table at byte offset " + start + ": ";
    if (in.remaining() < HEADER_BYTES) {
      throw new HuffmanFormatException(
          where + "header needs " + HEADER_BYTES + " bytes but " + in.remaining() + " remain");
    }
    int n = (in.get(start) & 0xFF) | (in.get(start + 1) & 0xFF) << 8;
    int flags = in.get(start + 2) & 0xFF;
    int declaredLongest = flags & 0xF;
    int mode = flags >>> 4;
    if (n < 1 || n > MAX_ALPHABET_SIZE) {
      throw new HuffmanFormatException(
          where + "alphabet size " + n + " is outside 1.." + MAX_ALPHABET_SIZE);
    }
    if (mode != MODE_PACKED && mode != MODE_RUNS) {
      throw new HuffmanFormatException(where + "unknown body mode " + mode);
    }
    int width = fieldWidth(declaredLongest);
    // Upper bound of the body size, so a large buffer is never copied whole.
    long maxBodyBits = (long) n * (mode == MODE_PACKED ? width : width + 2 * MAX_CODE_LENGTH + 1);
    int bodyStart = start + HEADER_BYTES;
    int available = (int) Math.min(in.limit() - bodyStart, (maxBodyBits + 7) >>> 3);
    BitReader body;
    if (in.hasArray()) {
      body = new BitReader(in.array(), in.arrayOffset() + bodyStart, available * 8L);
    } else {
      byte[] copy = new byte[available];
      in.get(bodyStart, copy);
      body = new BitReader(copy, 0, available * 8L);
    }
    byte[] lengths = new byte[n];
    try {
      readBody(body, mode, declaredLongest, lengths);
    } catch (HuffmanFormatException e) {
      throw new HuffmanFormatException(where + e.getMessage());
    }
    CodeLengths code = new CodeLengths(lengths);
    if (code.longest != declaredLongest) {
      throw new HuffmanFormatException(
          where
              + "declares longest length "
              + declaredLongest
              + " but the longest is "
              + code.longest);
    }
    String problem = prefixCodeProblem(lengths);
    if (problem != null) {
      throw new HuffmanFormatException(where + problem);
    }
    in.position(bodyStart + (int) (body.position() >>> 3));
    return code;
  }

  private static void readBody(BitReader body, int mode, int longest, byte[] lengths)
      throws HuffmanFormatException {
    int width = fieldWidth(longest);
    int n = lengths.length;
    for (int i = 0; i < n; ) {
      long at = body.position();
      int length = body.readBits(width);
      if (length > longest) {
        throw new HuffmanFormatException(
            "length " + length + " at body bit " + at + " exceeds the declared longest " + longest);
      }
      int run = 1;
      if (mode == MODE_RUNS) {
        at = body.position();
        int z = 0;
        while (body.readBits(1) == 0) {
          if (++z > MAX_CODE_LENGTH) {
            throw new HuffmanFormatException("run length code at body bit " + at + " is too long");
          }
        }
        run = 1 << z | body.readBits(z);
        if (run > n - i) {
          throw new HuffmanFormatException(
              "run of "
                  + run
                  + " at body bit "
                  + at
                  + " overruns the alphabet ("
                  + (n - i)
                  + " symbols left)");
        }
      }
      Arrays.fill(lengths, i, i + run, (byte) length);
      i += run;
    }
    long at = body.position();
    if (body.readBits((int) (-at & 7)) != 0) {
      throw new HuffmanFormatException("padding bits after body bit " + at + " are not zero");
    }
  }

  // Null if the lengths form an accepted prefix code, otherwise what is wrong with them.
  private static String prefixCodeProblem(byte[] lengths) {
    long kraft = 0;
    int used = 0;
    int single = -1;
    for (int s = 0; s < lengths.length; s++) {
      if (lengths[s] != 0) {
        kraft += 1L << (MAX_CODE_LENGTH - lengths[s]);
        used++;
        single = s;
      }
    }
    long one = 1L << MAX_CODE_LENGTH;
    if (used == 1 && lengths[single] != 1) {
      return "the only used symbol " + single + " has length " + lengths[single] + " instead of 1";
    }
    if (used >= 2 && kraft > one) {
      return "lengths are over-subscribed (Kraft sum " + kraft + "/" + one + " > 1)";
    }
    if (used >= 2 && kraft < one) {
      return "lengths are incomplete (Kraft sum " + kraft + "/" + one + " < 1)";
    }
    return null;
  }

  /**
   * Package-merge (Larmore and Hirschberg). {@code weights} are positive and ascending, at least 2
   * and at most {@code 2^maxLength} of them; returns the optimal lengths in the same order.
   *
   * <p>Level 0 lists the symbols as coins of width 2^-maxLength. Each higher level lists the
   * symbols again merged (by weight) with packages of two consecutive items of the level below. The
   * cheapest 2n-2 items of the top level (width 1/2) are the optimal selection; a symbol's length
   * is the number of levels at which it is part of the selection, expanded downwards.
   */
  private static int[] packageMerge(long[] weights, int maxLength) {
    int n = weights.length;
    boolean[][] isPackage = new boolean[maxLength][];
    isPackage[0] = new boolean[n];
    long[] below = weights;
    for (int level = 1; level < maxLength; level++) {
      int packages = below.length / 2;
      long[] merged = new long[n + packages];
      boolean[] flags = new boolean[n + packages];
      int leaf = 0;
      int pkg = 0;
      for (int t = 0; t < merged.length; t++) {
        long packageWeight = pkg < packages ? below[2 * pkg] + below[2 * pkg + 1] : Long.MAX_VALUE;
        if (leaf < n && weights[leaf] <= packageWeight) {
          merged[t] = weights[leaf++];
        } else {
          merged[t] = packageWeight;
          flags[t] = true;
          pkg++;
        }
      }
      isPackage[level] = flags;
      below = merged;
    }
    int[] lengths = new int[n];
    int take = 2 * n - 2;
    for (int level = maxLength - 1; level >= 0; level--) {
      int packages = 0;
      for (int t = 0; t < take; t++) {
        packages += isPackage[level][t] ? 1 : 0;
      }
      for (int i = 0; i < take - packages; i++) {
        lengths[i]++;
      }
      take = 2 * packages;
    }
    return lengths;
  }

  private static int runLength(byte[] lengths, int from) {
    int end = from + 1;
    while (end < lengths.length && lengths[end] == lengths[from]) {
      end++;
    }
    return end - from;
  }

  private static int runCodeBits(int run) {
    return 2 * (31 - Integer.numberOfLeadingZeros(run)) + 1;
  }

  private static int fieldWidth(int longest) {
    return 32 - Integer.numberOfLeadingZeros(longest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CodeLengths other && Arrays.equals(lengths, other.lengths);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(lengths);
  }

  @Override
  public String toString() {
    return "CodeLengths[alphabet="
        + lengths.length
        + ", used="
        + usedSymbols
        + ", longest="
        + longest
        + ", lengths="
        + Arrays.toString(lengths)
        + "]";
  }
}
