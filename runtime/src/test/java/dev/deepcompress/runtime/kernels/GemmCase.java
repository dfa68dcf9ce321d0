package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * One randomly filled GEMM problem with offsets and padded leading dimensions, plus an independent
 * double-precision reference to check results against.
 */
final class GemmCase {
  final boolean transA;
  final boolean transB;
  final int m;
  final int n;
  final int k;
  final float[] a;
  final int aOffset;
  final int lda;
  final float[] b;
  final int bOffset;
  final int ldb;
  final float beta;
  final float[] c0;
  final int cOffset;
  final int ldc;

  GemmCase(
      Random random,
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      boolean padded,
      float beta) {
    this.transA = transA;
    this.transB = transB;
    this.m = m;
    this.n = n;
    this.k = k;
    this.beta = beta;
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    aOffset = padded ? 1 + random.nextInt(7) : 0;
    bOffset = padded ? 1 + random.nextInt(7) : 0;
    cOffset = padded ? 1 + random.nextInt(7) : 0;
    lda = aCols + (padded ? random.nextInt(5) : 0);
    ldb = bCols + (padded ? random.nextInt(5) : 0);
    ldc = n + (padded ? random.nextInt(5) : 0);
    a = filled(random, aOffset + aRows * lda + (padded ? 3 : 0));
    b = filled(random, bOffset + bRows * ldb + (padded ? 3 : 0));
    c0 = filled(random, cOffset + m * ldc + (padded ? 3 : 0));
  }

  private static float[] filled(Random random, int length) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  float opA(int i, int p) {
    return transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
  }

  float opB(int p, int j) {
    return transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
  }

  /** Runs {@code gemm} on a fresh copy of C and returns it. */
  float[] run(BlockedGemm gemm, int threads) {
    float[] c = c0.clone();
    gemm.sgemm(
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
        threads);
    return c;
  }

  float[] runPublic() {
    float[] c = c0.clone();
    Gemm.sgemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    return c;
  }

  /**
   * Checks every element of the m×n region against a double-precision sum, within 1e-5 of the sum
   * of magnitudes that went into it, and that everything outside the region is untouched.
   */
  void check(float[] c, String label) {
    boolean[] inside = new boolean[c.length];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int ci = cOffset + i * ldc + j;
        inside[ci] = true;
        double sum = beta * (double) c0[ci];
        double magnitude = Math.abs(sum);
        for (int p = 0; p < k; p++) {
          double product = (double) opA(i, p) * opB(p, j);
          sum += product;
          magnitude += Math.abs(product);
        }
        double error = Math.abs(c[ci] - sum);
        if (!(error <= 1e-5 * magnitude)) {
          fail(
              String.format(
                  "%s: %s C[%d][%d] = %s, expected %s (error %.3g, allowed %.3g)",
                  label, this, i, j, c[ci], sum, error, 1e-5 * magnitude));
        }
      }
    }
    for (int x = 0; x < c.length; x++) {
      if (!inside[x]) {
        assertEquals(c0[x], c[x], label + ": " + this + " wrote outside C at index " + x);
      }
    }
  }

  @Override
  public String toString() {
    return String.format(
        "%s%s m=%d n=%d k=%d beta=%s aOffset=%d lda=%d bOffset=%d ldb=%d cOffset=%d ldc=%d",
        transA ? "T" : "N",
        transB ? "T" : "N",
        m,
        n,
        k,
        beta,
        aOffset,
        lda,
        bOffset,
        ldb,
        cOffset,
        ldc);
  }
}
