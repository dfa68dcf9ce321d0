package dev.deepcompress.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Cache-blocked, register-tiled SGEMM on the Vector API.
 *
 * <p>op(A) and op(B) are packed into zero-padded micro-panels (MR rows of A, NR columns of B,
 * interleaved along k) so every transpose combination runs the same MR×NR FMA micro-kernel, and
 * edge tiles run it too (into a scratch tile). C is split into rectangular regions on the fixed
 * MR×NR tile grid, one task per region; k is cut into blocks whose sizes depend on k alone. So each
 * element of C is always computed by the same instruction sequence: results do not depend on the
 * thread count.
 */
final class VectorGemm implements GemmKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  static final int MR = 4;
  static final int NR = 2 * L;

  /** Longest k block; the actual block length is k split evenly. */
  private static final int KC = 256;

  /** Rows of A packed at once (kept in L2). */
  private static final int MC = 32 * MR;

  /** Columns of B packed at once. */
  private static final int NC = 256 / NR * NR;

  /** Multiply-adds below which a region is not worth handing to another thread. */
  static final long MIN_TASK_WORK = 1L << 18;

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private static final class Workspace {
    final float[] a = new float[MC * KC];
    final float[] b = new float[NC * KC];
    final float[] tile = new float[MR * NR];
  }

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
    int blocks = (k + KC - 1) / KC;
    int kc = (k + blocks - 1) / blocks;
    Plan plan = plan(m, n, k, threads);
    if (plan.tasks() == 1) {
      region(
          transA,
          transB,
          m,
          n,
          k,
          kc,
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
          0,
          m,
          0,
          n);
      return;
    }
    KernelThreads.parallelFor(
        plan.tasks(),
        t -> {
          int rows = (m + MR - 1) / MR;
          int cols = (n + NR - 1) / NR;
          int ri = t / plan.colSplits();
          int ci = t % plan.colSplits();
          int i0 = Math.min(m, (int) ((long) rows * ri / plan.rowSplits()) * MR);
          int i1 = Math.min(m, (int) ((long) rows * (ri + 1) / plan.rowSplits()) * MR);
          int j0 = Math.min(n, (int) ((long) cols * ci / plan.colSplits()) * NR);
          int j1 = Math.min(n, (int) ((long) cols * (ci + 1) / plan.colSplits()) * NR);
          region(
              transA,
              transB,
              m,
              n,
              k,
              kc,
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
              i0,
              i1,
              j0,
              j1);
        });
  }

  /** How C is cut into regions: rowSplits × colSplits tasks on the tile grid. */
  record Plan(int rowSplits, int colSplits) {
    int tasks() {
      return rowSplits * colSplits;
    }
  }

  /**
   * Picks the split with the least redundant packing (each row band packs its columns of B, each
   * column band its rows of A), using no more tasks than the work justifies.
   */
  static Plan plan(int m, int n, int k, int threads) {
    long work = (long) m * n * k;
    int maxTasks = (int) Math.max(1, Math.min(threads, work / MIN_TASK_WORK));
    int tileRows = (m + MR - 1) / MR;
    int tileCols = (n + NR - 1) / NR;
    for (int tasks = maxTasks; tasks > 1; tasks--) {
      Plan best = null;
      long bestCost = Long.MAX_VALUE;
      for (int rs = 1; rs <= tasks; rs++) {
        if (tasks % rs != 0 || rs > tileRows || tasks / rs > tileCols) {
          continue;
        }
        int cs = tasks / rs;
        long cost = (long) cs * m + (long) rs * n;
        if (cost < bestCost) {
          bestCost = cost;
          best = new Plan(rs, cs);
        }
      }
      if (best != null) {
        return best;
      }
    }
    return new Plan(1, 1);
  }

  private static void region(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      int kcMax,
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
      int i1,
      int j0,
      int j1) {
    Workspace ws = WORKSPACE.get();
    // With a single row block, A is packed once per k block and reused for every column block.
    boolean oneRowBlock = i1 - i0 <= MC;
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      boolean add = accumulate || pc > 0;
      for (int jc = j0; jc < j1; jc += NC) {
        int nc = Math.min(NC, j1 - jc);
        packB(transB, b, bOffset, ldb, n, pc, kc, jc, nc, ws.b);
        for (int ic = i0; ic < i1; ic += MC) {
          int mc = Math.min(MC, i1 - ic);
          if (jc == j0 || !oneRowBlock) {
            packA(transA, a, aOffset, lda, m, pc, kc, ic, mc, ws.a);
          }
          block(ws, kc, mc, nc, add, c, cOffset + ic * ldc + jc, ldc);
        }
      }
    }
  }

  /** Multiplies a packed mc×kc block of A by a packed kc×nc panel of B into C at {@code ci}. */
  private static void block(
      Workspace ws, int kc, int mc, int nc, boolean add, float[] c, int ci0, int ldc) {
    float[] ap = ws.a;
    float[] bp = ws.b;
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int bi = jr * kc;
      for (int ir = 0; ir < mc; ir += MR) {
        int mr = Math.min(MR, mc - ir);
        int ai = ir * kc;
        int ci = ci0 + ir * ldc + jr;
        if (mr == MR && nr == NR) {
          kernel(kc, ap, ai, bp, bi, c, ci, ldc, add);
        } else {
          float[] tile = ws.tile;
          kernel(kc, ap, ai, bp, bi, tile, 0, NR, false);
          for (int r = 0; r < mr; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < nr; j++) {
              float v = tile[r * NR + j];
              c[row + j] = add ? c[row + j] + v : v;
            }
          }
        }
      }
    }
  }

  /**
   * Packs rows [i, i+mc) × k range [pc, pc+kc) of op(A) as MR-row micro-panels: within a panel,
   * element (r, p) sits at p·MR + r. Rows past m are zero.
   */
  private static void packA(
      boolean transA,
      float[] a,
      int aOffset,
      int lda,
      int m,
      int pc,
      int kc,
      int i,
      int mc,
      float[] dst) {
    for (int ir = 0; ir < mc; ir += MR) {
      int d = ir * kc;
      int rows = Math.min(MR, m - (i + ir));
      if (transA) {
        int src = aOffset + pc * lda + i + ir;
        for (int p = 0; p < kc; p++, src += lda, d += MR) {
          for (int r = 0; r < rows; r++) {
            dst[d + r] = a[src + r];
          }
          for (int r = rows; r < MR; r++) {
            dst[d + r] = 0f;
          }
        }
      } else {
        for (int r = 0; r < MR; r++) {
          if (r < rows) {
            int src = aOffset + (i + ir + r) * lda + pc;
            for (int p = 0; p < kc; p++) {
              dst[d + p * MR + r] = a[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              dst[d + p * MR + r] = 0f;
            }
          }
        }
      }
    }
  }

  /**
   * Packs k range [pc, pc+kc) × columns [j, j+nc) of op(B) as NR-column micro-panels: within a
   * panel, element (p, q) sits at p·NR + q. Columns past n are zero.
   */
  private static void packB(
      boolean transB,
      float[] b,
      int bOffset,
      int ldb,
      int n,
      int pc,
      int kc,
      int j,
      int nc,
      float[] dst) {
    for (int jr = 0; jr < nc; jr += NR) {
      int d = jr * kc;
      int cols = Math.min(NR, n - (j + jr));
      if (transB) {
        for (int q = 0; q < NR; q++) {
          if (q < cols) {
            int src = bOffset + (j + jr + q) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              dst[d + p * NR + q] = b[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              dst[d + p * NR + q] = 0f;
            }
          }
        }
      } else if (cols == NR) {
        int src = bOffset + pc * ldb + j + jr;
        for (int p = 0; p < kc; p++, src += ldb, d += NR) {
          FloatVector.fromArray(S, b, src).intoArray(dst, d);
          FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
        }
      } else {
        int src = bOffset + pc * ldb + j + jr;
        for (int p = 0; p < kc; p++, src += ldb, d += NR) {
          for (int q = 0; q < cols; q++) {
            dst[d + q] = b[src + q];
          }
          for (int q = cols; q < NR; q++) {
            dst[d + q] = 0f;
          }
        }
      }
    }
  }

  /**
   * The MR×NR micro-kernel: sums kc rank-1 updates from packed panels in registers, then stores (or
   * adds) them into the MR×NR block of {@code c} at {@code ci} with row stride {@code ldc}.
   */
  private static void kernel(
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
}
