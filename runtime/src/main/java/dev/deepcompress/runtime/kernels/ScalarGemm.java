package dev.deepcompress.runtime.kernels;

/**
 * Plain-Java SGEMM for JVMs without the Vector API. Rows of C are split between tasks; each row is
 * updated by one op(A) element times a contiguous row of op(B) at a time (a loop the JIT can
 * auto-vectorize), with op(B) packed row-major per cache block when B is stored transposed. Every
 * element of C accumulates its k products in order, so results do not depend on the split.
 */
final class ScalarGemm implements GemmKernel {
  private static final int KC = 256;
  private static final int NC = 512;
  private static final int MIN_ROWS_PER_TASK = 4;
  private static final long MIN_TASK_WORK = 1L << 18;

  private static final ThreadLocal<float[]> PACKED_B =
      ThreadLocal.withInitial(() -> new float[KC * NC]);

  @Override
  public void sgemm(
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
      boolean accumulate,
      float[] c,
      int cOffset,
      int ldc,
      int threads) {
    long work = (long) m * n * k;
    int tasks =
        (int) Math.max(1, Math.min(Math.min(threads, m / MIN_ROWS_PER_TASK), work / MIN_TASK_WORK));
    KernelThreads.parallelFor(
        tasks,
        t ->
            rows(
                transA,
                transB,
                n,
                k,
                a,
                aOffset,
                lda,
                b,
                bOffset,
                ldb,
                accumulate,
                c,
                cOffset,
                ldc,
                (int) ((long) m * t / tasks),
                (int) ((long) m * (t + 1) / tasks)));
  }

  /** Row bands to split into: no more than the threads, the rows or the work justify. */
  static int tasks(int m, int n, int k, int threads) {
    long work = (long) m * n * k;
    return (int)
        Math.max(1, Math.min(Math.min(threads, m / MIN_ROWS_PER_TASK), work / MIN_TASK_WORK));
  }

  private static void rows(
      boolean transA,
      boolean transB,
      int n,
      int k,
      float[] a,
      int aOffset,
      int lda,
      float[] b,
      int bOffset,
      int ldb,
      boolean accumulate,
      float[] c,
      int cOffset,
      int ldc,
      int i0,
      int i1) {
    float[] packed = PACKED_B.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      if (!accumulate) {
        for (int i = i0; i < i1; i++) {
          int ci = cOffset + i * ldc + jc;
          java.util.Arrays.fill(c, ci, ci + nc, 0f);
        }
      }
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        float[] rowsB;
        int bBase;
        int bStride;
        if (transB) {
          for (int q = 0; q < nc; q++) {
            int src = bOffset + (jc + q) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              packed[p * nc + q] = b[src + p];
            }
          }
          rowsB = packed;
          bBase = 0;
          bStride = nc;
        } else {
          rowsB = b;
          bBase = bOffset + pc * ldb + jc;
          bStride = ldb;
        }
        for (int i = i0; i < i1; i++) {
          int ci = cOffset + i * ldc + jc;
          for (int p = 0; p < kc; p++) {
            float x = transA ? a[aOffset + (pc + p) * lda + i] : a[aOffset + i * lda + pc + p];
            int bi = bBase + p * bStride;
            for (int j = 0; j < nc; j++) {
              c[ci + j] += x * rowsB[bi + j];
            }
          }
        }
      }
    }
  }
}
