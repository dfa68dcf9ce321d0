package dev.deepcompress.huffman;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CodeLengthsTest {

  // The six-letter example of Cormen et al.: a..f with frequencies 45, 13, 12, 16, 9, 5.
  private static final long[] TEXTBOOK = {45, 13, 12, 16, 9, 5};

  @Test
  void textbookExampleHasTheHuffmanLengthsAndCanonicalCodes() {
    CodeLengths code = CodeLengths.fromFrequencies(TEXTBOOK);
    assertArrayEquals(new int[] {1, 3, 3, 3, 4, 4}, code.lengths());
    assertArrayEquals(new int[] {0b0, 0b100, 0b101, 0b110, 0b1110, 0b1111}, code.canonicalCodes());
    assertEquals(224, code.encodedBits(TEXTBOOK));
    assertEquals(4, code.longestLength());
    assertEquals(6, code.usedSymbols());
  }

  @Test
  void textbookExampleLimitedToThreeBits() {
    // With at most 3 bits, 'a' cannot keep a 1-bit code: the optimum gives a and d 2 bits.
    CodeLengths code = CodeLengths.fromFrequencies(TEXTBOOK, 3);
    assertArrayEquals(new int[] {2, 3, 3, 2, 3, 3}, code.lengths());
    assertEquals(239, code.encodedBits(TEXTBOOK));
  }

  @Test
  void canonicalCodesFollowLengthThenSymbolOrder() {
    CodeLengths code = CodeLengths.of(2, 1, 3, 3);
    assertArrayEquals(new int[] {0b10, 0b0, 0b110, 0b111}, code.canonicalCodes());
  }

  @Test
  void unusedSymbolsGetNoCodeAndASingleSymbolGetsOneBit() {
    assertArrayEquals(new int[] {0, 0, 0}, CodeLengths.fromFrequencies(new long[3]).lengths());
    assertEquals(0, CodeLengths.fromFrequencies(new long[3]).usedSymbols());
    assertArrayEquals(
        new int[] {0, 1, 0}, CodeLengths.fromFrequencies(new long[] {0, 7, 0}).lengths());
    assertArrayEquals(new int[] {1}, CodeLengths.fromFrequencies(new long[] {1}).lengths());
    assertArrayEquals(
        new int[] {1, 0, 1}, CodeLengths.fromFrequencies(new long[] {1, 0, 1000}).lengths());
  }

  @Test
  void rejectsInvalidArguments() {
    assertThrows(IllegalArgumentException.class, () -> CodeLengths.fromFrequencies(new long[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> CodeLengths.fromFrequencies(new long[CodeLengths.MAX_ALPHABET_SIZE + 1]));
    var negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> CodeLengths.fromFrequencies(new long[] {1, -2, 3}));
    assertTrue(negative.getMessage().contains("symbol 1"), negative.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> CodeLengths.fromFrequencies(new long[] {1, 1}, 0));
    assertThrows(
        IllegalArgumentException.class, () -> CodeLengths.fromFrequencies(new long[] {1, 1}, 16));
    assertThrows(
        IllegalArgumentException.class,
        () -> CodeLengths.fromFrequencies(new long[] {1, 1, 1, 1, 1}, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> CodeLengths.fromFrequencies(new long[] {Long.MAX_VALUE / 8, Long.MAX_VALUE / 8}));
  }

  @Test
  void ofAcceptsOnlyPrefixCodesOfTheDocumentedShapes() {
    assertEquals(3, CodeLengths.of(1, 2, 2).usedSymbols());
    assertEquals(0, CodeLengths.of(0, 0).usedSymbols());
    assertEquals(1, CodeLengths.of(0, 1).usedSymbols());
    var over = assertThrows(IllegalArgumentException.class, () -> CodeLengths.of(1, 1, 1));
    assertTrue(over.getMessage().contains("over-subscribed"), over.getMessage());
    var incomplete = assertThrows(IllegalArgumentException.class, () -> CodeLengths.of(1, 2, 0));
    assertTrue(incomplete.getMessage().contains("incomplete"), incomplete.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CodeLengths.of(0, 2));
    assertThrows(IllegalArgumentException.class, () -> CodeLengths.of(1, 16));
    assertThrows(IllegalArgumentException.class, () -> CodeLengths.of());
  }

  @Test
  void encodedBitsRejectsSymbolsWithoutCode() {
    CodeLengths code = CodeLengths.of(1, 1, 0);
    assertEquals(5, code.encodedBits(new long[] {2, 3, 0}));
    var e =
        assertThrows(IllegalArgumentException.class, () -> code.encodedBits(new long[] {1, 1, 1}));
    assertTrue(e.getMessage().contains("symbol 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> code.encodedBits(new long[] {1, 1}));
  }

  @Test
  void unlimitedCodeIsAnOptimalCompletePrefixCode() {
    int trials = 300;
    AtomicInteger optimalityChecked = new AtomicInteger();
    Trials.run(
        trials,
        t -> {
          if (unlimitedCodeIsAnOptimalCompletePrefixCode(frequencies(t, 256))) {
            optimalityChecked.incrementAndGet();
          }
        });
    assertTrue(
        optimalityChecked.get() * 2 > trials,
        "optimality checked in only " + optimalityChecked + " of " + trials + " trials");
  }

  /** Returns whether the frequencies allowed checking optimality against the Huffman cost. */
  private static boolean unlimitedCodeIsAnOptimalCompletePrefixCode(long[] frequencies) {
    int[] huffman = Reference.huffmanLengths(frequencies);
    CodeLengths code = CodeLengths.fromFrequencies(frequencies);
    int used = code.usedSymbols();
    for (int s = 0; s < frequencies.length; s++) {
      assertEquals(frequencies[s] > 0, code.length(s) > 0, "symbol " + s);
    }
    assertPrefixFree(code);
    if (used >= 2) {
      assertEquals(1.0, kraftSum(code), 0.0);
    }
    // Random frequencies of this size practically never need more than 15 bits; when they do the
    // limit binds and the Huffman cost is merely a lower bound.
    long bits = code.encodedBits(frequencies);
    boolean limitIdle = Arrays.stream(huffman).max().orElse(0) <= CodeLengths.MAX_CODE_LENGTH;
    if (used >= 2 && limitIdle) {
      assertEquals(Reference.cost(frequencies, huffman), bits);
      double entropy = Reference.entropyBits(frequencies);
      long total = Arrays.stream(frequencies).sum();
      assertTrue(bits >= entropy - 1e-6 * total, bits + " bits below entropy " + entropy);
      assertTrue(bits < entropy + total, bits + " bits not within 1 bit/symbol of " + entropy);
    }
    if (used >= 1) {
      int fixedWidth = Math.max(1, 32 - Integer.numberOfLeadingZeros(used - 1));
      assertTrue(bits <= fixedWidth * Arrays.stream(frequencies).sum(), "worse than fixed width");
    }
    return used >= 2 && limitIdle;
  }

  @Test
  void limitedCodeIsOptimalAmongLimitedCodes() {
    Trials.run(
        200, t -> limitedCodeIsOptimalAmongLimitedCodes(frequencies(t, 24), t.between(1, 15)));
  }

  private static void limitedCodeIsOptimalAmongLimitedCodes(long[] frequencies, int limit) {
    int effectiveLimit = Reference.feasibleLimit(frequencies, limit);
    CodeLengths code = CodeLengths.fromFrequencies(frequencies, effectiveLimit);
    int used = code.usedSymbols();
    assertTrue(code.longestLength() <= effectiveLimit);
    assertPrefixFree(code);
    if (used >= 2) {
      assertEquals(1.0, kraftSum(code), 0.0);
    }
    if (used >= 1) {
      assertEquals(
          Reference.optimalLimitedCost(frequencies, effectiveLimit), code.encodedBits(frequencies));
    }
  }

  @Test
  void fibonacciFrequenciesAreLimitedAndOptimal() {
    long[] frequencies = Reference.fibonacci(30);
    assertEquals(29, Arrays.stream(Reference.huffmanLengths(frequencies)).max().orElseThrow());
    for (int limit = 5; limit <= 15; limit++) {
      CodeLengths code = CodeLengths.fromFrequencies(frequencies, limit);
      assertEquals(limit, code.longestLength(), "limit " + limit);
      assertEquals(1.0, kraftSum(code), 0.0);
      assertPrefixFree(code);
      assertEquals(
          Reference.optimalLimitedCost(frequencies, limit),
          code.encodedBits(frequencies),
          "limit " + limit);
    }
  }

  @Test
  void fullAlphabetAtTheLengthLimitGetsFlatCode() {
    long[] frequencies = new long[CodeLengths.MAX_ALPHABET_SIZE];
    Arrays.fill(frequencies, 1);
    frequencies[0] = 1L << 40;
    CodeLengths code = CodeLengths.fromFrequencies(frequencies);
    assertEquals(15, code.longestLength());
    assertTrue(Arrays.stream(code.lengths()).allMatch(length -> length == 15));
  }

  static double kraftSum(CodeLengths code) {
    double sum = 0;
    for (int length : code.lengths()) {
      sum += length == 0 ? 0 : Math.pow(2, -length);
    }
    return sum;
  }

  static void assertPrefixFree(CodeLengths code) {
    String[] words = Reference.codewords(code);
    for (int a = 0; a < words.length; a++) {
      for (int b = 0; b < words.length; b++) {
        if (a != b && words[a] != null && words[b] != null) {
          assertTrue(!words[b].startsWith(words[a]), words[a] + " is a prefix of " + words[b]);
        }
      }
    }
  }

  /**
   * 1 to maxAlphabet frequencies, each 0, small, moderate or up to 2^40 with weights 3:3:3:1:
   * unused symbols, ties and frequencies far apart.
   */
  private static long[] frequencies(Trials.Trial t, int maxAlphabet) {
    long[] frequencies = new long[t.size(1, maxAlphabet)];
    for (int s = 0; s < frequencies.length; s++) {
      frequencies[s] =
          switch (t.choice(10)) {
            case 0, 1, 2 -> 0;
            case 3, 4, 5 -> t.between(1L, 20L);
            case 6, 7, 8 -> t.between(1L, 1_000_000L);
            default -> t.between(1L, 1L << 40);
          };
    }
    return frequencies;
  }
}
