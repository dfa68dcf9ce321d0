package dev.deepcompress.runtime.kernels;

/**
 * Plain-Java SGEMM for JVMs without the Vector API: the shared blocked driver with a 2×4 scalar
 * micro-kernel (the tile that measured fastest; larger ones spill registers).
 */
final class ScalarGemm extends BlockedGemm {
  private static final int MR = 2;
  private static final int NR = 4;

  ScalarGemm() {
    super(MR, NR, 256, 64 * MR, 256, 1L << 15);
  }

  @Override
  void kernel(
      int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
    float c00 = 0f;
    float c01 = 0f;
    float c02 = 0f;
    float c03 = 0f;
    float c10 = 0f;
    float c11 = 0f;
    float c12 = 0f;
    float c13 = 0f;
    for (int p = 0; p < kc; p++) {
      int aq = ai + p * MR;
      int bq = bi + p * NR;
      float b0 = bp[bq];
      float b1 = bp[bq + 1];
      float b2 = bp[bq + 2];
      float b3 = bp[bq + 3];
      float a0 = ap[aq];
      c00 += a0 * b0;
      c01 += a0 * b1;
      c02 += a0 * b2;
      c03 += a0 * b3;
      float a1 = ap[aq + 1];
      c10 += a1 * b0;
      c11 += a1 * b1;
      c12 += a1 * b2;
      c13 += a1 * b3;
    }
    store(c00, c01, c02, c03, c, ci, add);
    store(c10, c11, c12, c13, c, ci + ldc, add);
  }

  private static void store(
      float v0, float v1, float v2, float v3, float[] c, int ci, boolean add) {
    if (add) {
      c[ci] += v0;
      c[ci + 1] += v1;
      c[ci + 2] += v2;
      c[ci + 3] += v3;
    } else {
      c[ci] = v0;
      c[ci + 1] = v1;
      c[ci + 2] = v2;
      c[ci + 3] = v3;
    }
  }

  @Override
  float dot(float[] x, int xi, float[] y, int yi, int length) {
    float sum = 0f;
    for (int p = 0; p < length; p++) {
      sum += x[xi + p] * y[yi + p];
    }
    return sum;
  }

  @Override
  void axpy(float alpha, float[] x, int xi, float[] y, int yi, int length) {
    for (int q = 0; q < length; q++) {
      y[yi + q] += alpha * x[xi + q];
    }
  }
}
