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
}
