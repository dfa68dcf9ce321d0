package dev.deepcompress.quantization;

/**
 * Sums of floats in double, in an order fixed by the elements' offsets alone: the element at offset
 * {@code p} from the first goes into running sum {@code p mod 4} (each starting at {@code +0.0}),
 * and the four are added as {@code ((s0 + s1) + s2) + s3}. One running sum is a chain of additions,
 * each waiting for the one before; four of them overlap, and the Vector API kernels keep them in
 * the four lanes of one vector of doubles. The order is the same on every machine, whatever its
 * vector width, so the result is too.
 *
 * <p>The running sums of a ternary quantizer's gradient pass: those of the gradients at weights on
 * the positive level and on the negative level, and how many there are of each.
 */
final class BlockedSums {
  static final int LANES = 4;

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

  static double total(double s0, double s1, double s2, double s3) {
    return ((s0 + s1) + s2) + s3;
  }

  static double total(double[] sums) {
    return total(sums[0], sums[1], sums[2], sums[3]);
  }
}
