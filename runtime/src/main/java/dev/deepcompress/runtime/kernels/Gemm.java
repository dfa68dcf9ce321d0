package dev.deepcompress.runtime.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Single-precision matrix multiply on row-major arrays: {@code C = beta·C + op(A)·op(B)}, where
 * op(A) is m×k and op(B) is k×n. {@code transA} means A is stored k×m (lda ≥ m); {@code transB}
 * means B is stored n×k (ldb ≥ k). beta is 0 (overwrite) or 1 (accumulate). C must not overlap A or
 * B.
 *
 * <p>Results must not depend on the number of threads: each element of C is reduced over k in the
 * same order whatever the split. Runs on {@link KernelThreads#threads()} threads, with the Vector
 * API when {@code jdk.incubator.vector} is available and a scalar fallback otherwise.
 */
public final class Gemm {
  private Gemm() {}

  /**
   * Computes {@code C = beta·C + op(A)·op(B)}.
   *
   * @throws IllegalArgumentException if a size, offset or leading dimension is negative, a leading
   *     dimension is smaller than its row length, beta is neither 0 nor 1, or an array is too short
   *     for the declared shape
   * @throws NullPointerException if an array is null
   */
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
    Objects.requireNonNull(a, "sgemm: a is null");
    Objects.requireNonNull(b, "sgemm: b is null");
    Objects.requireNonNull(c, "sgemm: c is null");
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "sgemm: sizes must be ≥ 0, got m=" + m + ", n=" + n + ", k=" + k);
    }
    if (beta != 0f && beta != 1f) {
      throw new IllegalArgumentException("sgemm: beta must be 0 or 1, got " + beta);
    }
    checkMatrix(
        "a", transA ? "k×m (transA)" : "m×k", a, aOffset, lda, transA ? k : m, transA ? m : k);
    checkMatrix(
        "b", transB ? "n×k (transB)" : "k×n", b, bOffset, ldb, transB ? n : k, transB ? k : n);
    checkMatrix("c", "m×n", c, cOffset, ldc, m, n);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (beta == 0f) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
        }
      }
      return;
    }
    Simd.GEMM.sgemm(
        transA,
        transB,
        m,
        n,
        k,
        a,
        aOffset,
        lda,
        b,
        bOffset,
        ldb,
        beta == 1f,
        c,
        cOffset,
        ldc,
        KernelThreads.threads());
  }

  private static void checkMatrix(
      String name, String layout, float[] array, int offset, int ld, int rows, int cols) {
    if (offset < 0) {
      throw new IllegalArgumentException("sgemm: " + name + "Offset must be ≥ 0, got " + offset);
    }
    if (ld < cols) {
      throw new IllegalArgumentException(
          "sgemm: ld"
              + name
              + "="
              + ld
              + " is less than the "
              + cols
              + " columns of "
              + name
              + " stored "
              + layout);
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    long needed = offset + (long) (rows - 1) * ld + cols;
    if (needed > array.length) {
      throw new IllegalArgumentException(
          "sgemm: "
              + name
              + " stored "
              + layout
              + " as "
              + rows
              + "×"
              + cols
              + " with ld"
              + name
              + "="
              + ld
              + " from offset "
              + offset
              + " needs "
              + needed
              + " elements, but the array has "
              + array.length);
    }
  }
}
