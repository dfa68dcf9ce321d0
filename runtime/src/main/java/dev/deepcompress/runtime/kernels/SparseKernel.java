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
   * multiply-add wait for the previous add's latency. One loop per column index type, each exiting
   * on {@code k < end - 3}: a single loop that tested the type inside kept a bounds check on every
   * array access.
   */
  static void rowsTimesVectorScalar(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1) {
    byte[] codes = m.codes;
    float[] codebook = m.codebook;
    int[] rowStart = m.rowStart;
    if (m.narrowColumns != null) {
      char[] columns = m.narrowColumns;
      for (int r = r0; r < r1; r++) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int k = rowStart[r];
        int end = rowStart[r + 1];
        for (; k < end - 3; k += 4) {
          s0 += codebook[codes[k] & 0xFF] * x[columns[k]];
          s1 += codebook[codes[k + 1] & 0xFF] * x[columns[k + 1]];
          s2 += codebook[codes[k + 2] & 0xFF] * x[columns[k + 2]];
          s3 += codebook[codes[k + 3] & 0xFF] * x[columns[k + 3]];
        }
        for (; k < end; k++) {
          s0 += codebook[codes[k] & 0xFF] * x[columns[k]];
        }
        y[r] = bias[r] + ((s0 + s1) + (s2 + s3));
      }
    } else {
      int[] columns = m.wideColumns;
      for (int r = r0; r < r1; r++) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int k = rowStart[r];
        int end = rowStart[r + 1];
        for (; k < end - 3; k += 4) {
          s0 += codebook[codes[k] & 0xFF] * x[columns[k]];
          s1 += codebook[codes[k + 1] & 0xFF] * x[columns[k + 1]];
          s2 += codebook[codes[k + 2] & 0xFF] * x[columns[k + 2]];
          s3 += codebook[codes[k + 3] & 0xFF] * x[columns[k + 3]];
        }
        for (; k < end; k++) {
          s0 += codebook[codes[k] & 0xFF] * x[columns[k]];
        }
        y[r] = bias[r] + ((s0 + s1) + (s2 + s3));
      }
    }
  }
}
