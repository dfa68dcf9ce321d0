package dev.deepcompress.quantization;

/** Order statistics in linear expected time (Hoare's selection), for percentile calibration. */
final class Select {
  private Select() {}

  /**
   * The {@code q}-quantile of {@code values} (0 ≤ q ≤ 1): the element of rank {@code ⌈q n⌉ − 1} (at
   * least 0) in ascending order. Reorders {@code values}.
   */
  static float quantile(float[] values, double q) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    int rank = (int) Math.max(0, Math.min(values.length - 1, Math.ceil(q * values.length) - 1));
    return kth(values, rank);
  }

  /** The element that would be at {@code k} if {@code values} were sorted; reorders them. */
  static float kth(float[] values, int k) {
    int lo = 0;
    int hi = values.length - 1;
    while (lo < hi) {
      // Median of three: sorted or reversed runs, common in weights' order, stay linear.
      int mid = (lo + hi) >>> 1;
      float pivot = median(values[lo], values[mid], values[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (values[i] < pivot) {
          i++;
        }
        while (values[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = values[i];
          values[i] = values[j];
          values[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return values[k];
      }
    }
    return values[k];
  }

  private static float median(float a, float b, float c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
}
