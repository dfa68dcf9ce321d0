package dev.deepcompress.runtime.kernels;

/**
 * One implementation of {@link Gemm#sgemm}. Arguments are already validated, and m, n and k are all
 * at least 1. {@code accumulate} means beta = 1.
 *
 * <p>Implementations split the work over at most {@code threads} tasks and must give bit-identical
 * results for every thread count.
 */
interface GemmKernel {
  void sgemm(
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
      int threads);
}
