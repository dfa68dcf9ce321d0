package dev.deepcompress.huffman;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/** Slow, independent implementations that the production code is checked against. */
final class Reference {
  private Reference() {}

  /** Code lengths of an unlimited Huffman tree built with a priority queue (0 for unused). */
  static int[] huffmanLengths(long[] frequencies) {
    record Node(long weight, int order, List<Integer> symbols) {}
    PriorityQueue<Node> queue =
        new PriorityQueue<>(
            (a, b) -> a.weight != b.weight ? Long.compare(a.weight, b.weight) : a.order - b.order);
    int order = 0;
    for (int s = 0; s < frequencies.length; s++) {
      if (frequencies[s] > 0) {
        queue.add(new Node(frequencies[s], order++, List.of(s)));
      }
    }
    int[] depth = new int[frequencies.length];
    while (queue.size() > 1) {
      Node a = queue.poll();
      Node b = queue.poll();
      List<Integer> merged = new ArrayList<>(a.symbols);
      merged.addAll(b.symbols);
      for (int s : merged) {
        depth[s]++;
      }
      queue.add(new Node(a.weight + b.weight, order++, merged));
    }
    return depth;
  }

  /** {@code limit}, raised if needed so that every used symbol can have a codeword. */
  static int feasibleLimit(long[] frequencies, int limit) {
    long used = Arrays.stream(frequencies).filter(f -> f > 0).count();
    return Math.max(limit, 64 - Long.numberOfLeadingZeros(Math.max(used - 1, 1)));
  }

  static long cost(long[] frequencies, int[] lengths) {
    long cost = 0;
    for (int s = 0; s < frequencies.length; s++) {
      cost += frequencies[s] * lengths[s];
    }
    return cost;
  }

  /**
   * Minimum of sum(f * length) over all prefix codes with lengths at most maxLength, by dynamic
   * programming over depths: with symbols sorted by descending frequency, lengths are
   * non-decreasing, so a code is the number of symbols placed at each depth.
   */
  static long optimalLimitedCost(long[] frequencies, int maxLength) {
    long[] f =
        Arrays.stream(frequencies)
            .filter(x -> x > 0)
            .boxed()
            .sorted((a, b) -> Long.compare(b, a))
            .mapToLong(Long::longValue)
            .toArray();
    int n = f.length;
    if (n == 1) {
      return f[0];
    }
    long[] suffix = new long[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + f[i];
    }
    long inf = Long.MAX_VALUE / 4;
    // best[d][i][a]: cost of depths d.. with i symbols placed above depth d and a free nodes at d.
    long[][][] best = new long[maxLength + 2][n + 1][n + 1];
    for (long[][] plane : best) {
      for (long[] row : plane) {
        Arrays.fill(row, inf);
      }
    }
    for (int d = maxLength; d >= 1; d--) {
      for (int i = 0; i < n; i++) {
        for (int a = 0; a <= n; a++) {
          long min = inf;
          for (int m = 0; m <= Math.min(a, n - i); m++) {
            long rest;
            if (i + m == n) {
              rest = 0;
            } else if (d == maxLength) {
              rest = inf;
            } else {
              rest = best[d + 1][i + m][Math.min(2 * (a - m), n - i - m)];
            }
            min = Math.min(min, rest);
          }
          best[d][i][a] = min >= inf ? inf : suffix[i] + min;
        }
      }
    }
    return best[1][0][Math.min(2, n)];
  }

  static double entropyBits(long[] frequencies) {
    double total = Arrays.stream(frequencies).sum();
    double h = 0;
    for (long f : frequencies) {
      if (f > 0) {
        double p = f / total;
        h -= p * Math.log(p) / Math.log(2);
      }
    }
    return h * total;
  }

  /** Codewords as strings of '0' and '1', first bit first; null for symbols without a code. */
  static String[] codewords(CodeLengths code) {
    int[] codes = code.canonicalCodes();
    String[] words = new String[codes.length];
    for (int s = 0; s < codes.length; s++) {
      int length = code.length(s);
      if (length > 0) {
        StringBuilder b = new StringBuilder();
        for (int bit = length - 1; bit >= 0; bit--) {
          b.append((codes[s] >>> bit) & 1);
        }
        words[s] = b.toString();
      }
    }
    return words;
  }

  /** Decodes one bit at a time by dictionary lookup; -1 entries mark failure. */
  static int[] naiveDecode(CodeLengths code, byte[] data, long bitLength, int count) {
    Map<String, Integer> bySymbol = new HashMap<>();
    String[] words = codewords(code);
    for (int s = 0; s < words.length; s++) {
      if (words[s] != null) {
        bySymbol.put(words[s], s);
      }
    }
    int[] out = new int[count];
    long bit = 0;
    for (int i = 0; i < count; i++) {
      StringBuilder word = new StringBuilder();
      Integer symbol = null;
      while (symbol == null && word.length() < CodeLengths.MAX_CODE_LENGTH && bit < bitLength) {
        word.append((data[(int) (bit >>> 3)] >>> (bit & 7)) & 1);
        bit++;
        symbol = bySymbol.get(word.toString());
      }
      if (symbol == null) {
        Arrays.fill(out, i, count, -1);
        return out;
      }
      out[i] = symbol;
    }
    return out;
  }

  /**
   * Random symbols over 0..alphabetSize-1, skewed towards small symbols: u^exponent scaled to the
   * alphabet, u uniform. Exponent 1 is uniform; large exponents give long codes.
   */
  static int[] skewedSymbols(long seed, int alphabetSize, int count, double exponent) {
    Random random = new Random(seed);
    int[] symbols = new int[count];
    for (int i = 0; i < count; i++) {
      double u = Math.pow(random.nextDouble(), exponent);
      symbols[i] = Math.min(alphabetSize - 1, (int) (u * alphabetSize));
    }
    return symbols;
  }

  /** Fibonacci frequencies 1, 1, 2, 3, 5, ...: an unlimited Huffman code has depth n - 1. */
  static long[] fibonacci(int n) {
    long[] f = new long[n];
    for (int i = 0; i < n; i++) {
      f[i] = i < 2 ? 1 : f[i - 1] + f[i - 2];
    }
    return f;
  }
}
