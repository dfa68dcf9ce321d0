package dev.deepcompress.runtime.kernels;

import java.util.Arrays;

/** Plain-Java sparse kernels for JVMs without the Vector API. */
final class ScalarSparseKernel extends SparseKernel {
  /** Columns of the output computed per pass over a row, so that the strip stays in L1. */
  private static final int STRIP = 512;

  @Override
  void rowsTimesVector(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1) {
    rowsTimesVectorScalar(m, x, bias, y, r0, r1);
  }

  @Override
  void rowsTimesDense(QuantizedSparseMatrix m, float[] b, int n, float[] c, int r0, int r1) {
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    byte[] codes = m.codes;
    float[] codebook = m.codebook;
    for (int j0 = 0; j0 < n; j0 += STRIP) {
      int j1 = Math.min(n, j0 + STRIP);
      for (int r = r0; r < r1; r++) {
        int out = r * n;
        Arrays.fill(c, out + j0, out + j1, 0f);
        for (int k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) {
          float w = codebook[codes[k] & 0xFF];
          int in = (narrow != null ? narrow[k] : wide[k]) * n;
          for (int j = j0; j < j1; j++) {
            c[out + j] += w * b[in + j];
          }
        }
      }
    }
  }
}
