package dev.deepcompress.bench;

import java.util.Arrays;

/** Medians and quartiles of repeated side-by-side timings. */
final class Quantiles {
  private Quantiles() {}

  static double median(double[] values) {
    return quantile(values, 0.5);
  }

  /** The sample at rank {@code q × (n − 1)}, rounded; {@code values} is not changed. */
  static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.round(q * (sorted.length - 1))];
  }
}
