package dev.deepcompress.runtime.kernels;

/**
 * Single-precision matrix multiply on row-major arrays: {@code C = beta·C + op(A)·op(B)}, where
 * op(A) is m×k and op(B) is k×n. {@code transA} means A is stored k×m (lda ≥ m); {@code transB}
 * means B is stored n×k (ldb ≥ k). beta is 0 (overwrite) or 1 (accumulate).
 *
 * <p>Results must not depend on the number of threads: each element of C is reduced over k in the
 * same order whatever the split.
 */
public final class Gemm {
  private Gemm() {}

  public static void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOffset,
      int lda,
      float[] b,
      int bOffset,
      int ldb,
      float beta,
      float[] c,
      int cOffset,
      int ldc) {
    // Placeholder reference loop; replaced by the blocked Vector API kernel.
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
          float bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
          sum += av * bv;
        }
        int ci = cOffset + i * ldc + j;
        c[ci] = beta == 0f ? sum : beta * c[ci] + sum;
      }
    }
  }
}
