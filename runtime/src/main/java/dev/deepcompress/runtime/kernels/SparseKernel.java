package dev.deepcompress.runtime.kernels;

/**
 * The row-block kernels behind {@link QuantizedSparseMatrix}, with a Vector API and a scalar
 * implementation. Each computes whole rows of the output from whole rows of the matrix, so that
 * threads can split the rows and every output element is summed in the same order.
 */
abstract class SparseKernel {
  /** {@code y[r] = bias[r] + Σ W[r][c]·x[c]} for rows r0 ≤ r < r1. */
  abstract void rowsTimesVector(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1);

  /** {@code c[r][j] = Σ_k W[r][k]·b[k][j]} for rows r0 ≤ r < r1 and 0 ≤ j < n (row length n). */
  abstract void rowsTimesDense(
      QuantizedSparseMatrix m, float[] b, int n, float[] c, int r0, int r1);

  /**
   * {@link #rowsTimesVector} in plain Java. Four partial sums, because a single one makes each
   * multiply-add wait for the previous add's latency (measured 1.3× slower).
   */
  static void rowsTimesVectorScalar(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1) {
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    byte[] codes = m.codes;
    float[] codebook = m.codebook;
    for (int r = r0; r < r1; r++) {
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      int k = m.rowStart[r];
      int end = m.rowStart[r + 1];
      for (; k + 4 <= end; k += 4) {
        if (narrow != null) {
          s0 += codebook[codes[k] & 0xFF] * x[narrow[k]];
          s1 += codebook[codes[k + 1] & 0xFF] * x[narrow[k + 1]];
          s2 += codebook[codes[k + 2] & 0xFF] * x[narrow[k + 2]];
          s3 += codebook[codes[k + 3] & 0xFF] * x[narrow[k + 3]];
        } else {
          s0 += codebook[codes[k] & 0xFF] * x[wide[k]];
          s1 += codebook[codes[k + 1] & 0xFF] * x[wide[k + 1]];
          s2 += codebook[codes[k + 2] & 0xFF] * x[wide[k + 2]];
          s3 += codebook[codes[k + 3] & 0xFF] * x[wide[k + 3]];
        }
      }
      for (; k < end; k++) {
        s0 += codebook[codes[k] & 0xFF] * x[narrow != null ? narrow[k] : wide[k]];
      }
      y[r] = bias[r] + ((s0 + s1) + (s2 + s3));
    }
  }
}
