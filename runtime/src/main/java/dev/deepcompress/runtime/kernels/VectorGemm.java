package dev.deepcompress.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Vector API: a 4 × (2 vectors) FMA micro-kernel, the largest tile C2 keeps entirely
 * in the 16 vector registers of AVX2; wider tiles spill an accumulator on every k step.
 */
final class VectorGemm extends BlockedGemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final int MR = 4;
  private static final int NR = 2 * L;

  VectorGemm() {
    super(MR, NR, 256, 32 * MR, 512 / NR * NR, 1L << 17);
  }

  @Override
  void copyPanelRow(float[] src, int si, float[] dst, int di) {
    FloatVector.fromArray(S, src, si).intoArray(dst, di);
    FloatVector.fromArray(S, src, si + L).intoArray(dst, di + L);
  }

  @Override
  void kernel(
      int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    // Indices written as linear functions of p so the JIT can drop the bounds checks.
    for (int p = 0; p < kc; p++) {
      int bq = bi + p * NR;
      int aq = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, bp, bq);
      FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
      FloatVector x = FloatVector.broadcast(S, ap[aq]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, ap[aq + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, ap[aq + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, ap[aq + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    store(c00, c01, c, ci, add);
    store(c10, c11, c, ci + ldc, add);
    store(c20, c21, c, ci + 2 * ldc, add);
    store(c30, c31, c, ci + 3 * ldc, add);
  }

  private static void store(FloatVector v0, FloatVector v1, float[] c, int ci, boolean add) {
    if (add) {
      v0 = FloatVector.fromArray(S, c, ci).add(v0);
      v1 = FloatVector.fromArray(S, c, ci + L).add(v1);
    }
    v0.intoArray(c, ci);
    v1.intoArray(c, ci + L);
  }

  @Override
  float dot(float[] x, int xi, float[] y, int yi, int length) {
    // Four accumulators hide the FMA latency; one row of a weight matrix streams from memory.
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    int p = 0;
    for (; p <= length - 4 * L; p += 4 * L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
      s1 = FloatVector.fromArray(S, x, xi + p + L).fma(FloatVector.fromArray(S, y, yi + p + L), s1);
      s2 =
          FloatVector.fromArray(S, x, xi + p + 2 * L)
              .fma(FloatVector.fromArray(S, y, yi + p + 2 * L), s2);
      s3 =
          FloatVector.fromArray(S, x, xi + p + 3 * L)
              .fma(FloatVector.fromArray(S, y, yi + p + 3 * L), s3);
    }
    for (; p <= length - L; p += L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
    }
    float sum = Lanes.sumInOrder(s0.add(s1).add(s2.add(s3)));
    for (; p < length; p++) {
      sum += x[xi + p] * y[yi + p];
    }
    return sum;
  }

  @Override
  void axpy(float alpha, float[] x, int xi, float[] y, int yi, int length) {
    FloatVector a = FloatVector.broadcast(S, alpha);
    int q = 0;
    for (; q <= length - L; q += L) {
      a.fma(FloatVector.fromArray(S, x, xi + q), FloatVector.fromArray(S, y, yi + q))
          .intoArray(y, yi + q);
    }
    for (; q < length; q++) {
      y[yi + q] += alpha * x[xi + q];
    }
  }
}
