package dev.deepcompress.quantization;

/**
 * Sums of floats in double, in an order fixed by the elements' offsets alone: the element at offset
 * {@code p} from the first goes into running sum {@code p mod n} (each starting at {@code +0.0}),
 * and the n are added left to right, {@code ((s0 + s1) + s2) + …}. One running sum is a chain of
 * additions, each waiting for the one before; n of them overlap, and the Vector API kernels keep
 * them in the lanes of vectors of doubles. The order is the same on every machine, whatever its
 * vector width, so the result is too.
 *
 * <p>Eight running sums: a vector of 16 floats goes in as two halves into one vector of eight
 * doubles, one of 8 floats as two quarters into two vectors of four, so that no vector waits for
 * more than two additions of one chain.
 *
 * <p>The running sums of a ternary quantizer's gradient pass: those of the gradients at weights on
 * the positive level and on the negative level, and how many there are of each. That pass adds in
 * two stages, so that a conversion to double serves 32 gradients, not one: within each chunk of
 * {@link #CHUNK} elements from the first, the element at offset {@code p} from the chunk's start
 * goes into float partial sum {@code p mod 16} (each starting at {@code +0.0}); at the chunk's end
 * (or the array's), partials 0 to 15 are added in turn to running sums {@code l mod 8}.
 */
final class BlockedSums {
  static final int LANES = 8;

  /** Elements per chunk of the ternary gradient pass; a multiple of {@link #PARTIALS}. */
  static final int CHUNK = 256;

  /** Float partial sums per chunk of the ternary gradient pass. */
  static final int PARTIALS = 16;

  final double[] positive = new double[LANES];
  final double[] negative = new double[LANES];
  int positives;
  int negatives;

  void clear() {
    java.util.Arrays.fill(positive, 0);
    java.util.Arrays.fill(negative, 0);
    positives = 0;
    negatives = 0;
  }

  /** The running sums added left to right. */
  static double total(double... sums) {
    double total = sums[0];
    for (int i = 1; i < sums.length; i++) {
      total += sums[i];
    }
    return total;
  }
}
