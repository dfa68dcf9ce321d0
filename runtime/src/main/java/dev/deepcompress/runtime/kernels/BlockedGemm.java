package dev.deepcompress.runtime.kernels;

import java.util.Arrays;

/**
 * The cache-blocked SGEMM driver shared by the Vector API and scalar kernels; subclasses supply the
 * register-tiled micro-kernel.
 *
 * <p>op(A) and op(B) are packed into zero-padded micro-panels (mr rows of A, nr columns of B,
 * interleaved along k) so every transpose combination runs the same micro-kernel, and edge tiles
 * run it too (into a scratch tile). C is split into rectangular regions on the fixed mr×nr tile
 * grid, one task per region, and k is cut into blocks whose sizes depend on k alone. So each
 * element of C is always computed by the same sequence of operations: results do not depend on the
 * thread count.
 */
abstract class BlockedGemm {
  private static final int FLOATS_PER_LINE = 16;

  final int mr;
  final int nr;
  private final int kcMax;
  private final int mc;
  private final int nc;
  private final long minTaskWork;
  private final ThreadLocal<Workspace> workspace;

  private final class Workspace {
    final float[] a = new float[mc * kcMax];
    final float[] b = new float[nc * kcMax];
    final float[] tile = new float[mr * nr];
  }

  /**
   * @param mr rows of the micro-tile
   * @param nr columns of the micro-tile
   * @param kc longest k block; k is split into equal blocks no longer than this
   * @param mc rows of A packed at once, a multiple of mr
   * @param nc columns of B packed at once, a multiple of nr
   * @param minTaskWork multiply-adds below which a region is not worth handing to another thread
   */
  BlockedGemm(int mr, int nr, int kc, int mc, int nc, long minTaskWork) {
    this.mr = mr;
    this.nr = nr;
    this.kcMax = kc;
    this.mc = mc;
    this.nc = nc;
    this.minTaskWork = minTaskWork;
    this.workspace = ThreadLocal.withInitial(Workspace::new);
  }

  /**
   * Sums kc rank-1 updates from an mr-row panel of A at {@code ai} and an nr-column panel of B at
   * {@code bi}, then stores them into (or, if {@code add}, adds them to) the mr×nr block of {@code
   * c} at {@code ci} with row stride {@code ldc}.
   */
  abstract void kernel(
      int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc, boolean add);

  /** Σ x[xi + p]·y[yi + p] for p &lt; length, summed in an order that depends on length alone. */
  abstract float dot(float[] x, int xi, float[] y, int yi, int length);

  /** y[yi + q] += alpha·x[xi + q] for q &lt; length. */
  abstract void axpy(float alpha, float[] x, int xi, float[] y, int yi, int length);

  /** Copies nr consecutive floats; for a full-width panel row of non-transposed B. */
  void copyPanelRow(float[] src, int si, float[] dst, int di) {
    for (int q = 0; q < nr; q++) {
      dst[di + q] = src[si + q];
    }
  }

  private record Operands(
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
      int ldc) {}

  /** How C is cut into regions: rowSplits × colSplits tasks on the tile grid. */
  record Plan(int rowSplits, int colSplits) {
    int tasks() {
      return rowSplits * colSplits;
    }
  }

  /**
   * {@link Gemm#sgemm} with validated arguments, m, n and k all at least 1, {@code accumulate}
   * meaning beta = 1, and the work split over at most {@code threads} tasks.
   */
  final void sgemm(
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
    Operands op =
        new Operands(
            transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, accumulate, c, cOffset, ldc);
    if (m == 1) {
      rowTimesMatrix(op, threads);
      return;
    }
    int blocks = (k + kcMax - 1) / kcMax;
    int kc = (k + blocks - 1) / blocks;
    Plan plan = plan(m, n, k, threads);
    if (plan.tasks() == 1) {
      region(op, kc, 0, m, 0, n);
      return;
    }
    int tileRows = (m + mr - 1) / mr;
    int tileCols = (n + nr - 1) / nr;
    KernelThreads.parallelFor(
        plan.tasks(),
        t -> {
          int ri = t / plan.colSplits();
          int ci = t % plan.colSplits();
          region(
              op,
              kc,
              boundary(m, mr, tileRows, ri, plan.rowSplits()),
              boundary(m, mr, tileRows, ri + 1, plan.rowSplits()),
              boundary(n, nr, tileCols, ci, plan.colSplits()),
              boundary(n, nr, tileCols, ci + 1, plan.colSplits()));
        });
  }

  /**
   * C's one row (batch-1 inference): packing B would cost as much as the product, so B is streamed
   * once from where it lies. Threads take column ranges of C in whole cache lines, and each element
   * is reduced by one thread in an order fixed by k, so the split does not change the result.
   */
  private void rowTimesMatrix(Operands op, int threads) {
    // A's row is contiguous unless A is stored transposed; only then is it gathered.
    float[] x = op.transA ? transposedRow(op) : op.a;
    int xi = op.transA ? 0 : op.aOffset;
    int lines = (op.n + FLOATS_PER_LINE - 1) / FLOATS_PER_LINE;
    int tasks = (int) Math.max(1, Math.min(threads, (long) op.n * op.k / minTaskWork));
    KernelThreads.parallelFor(
        tasks,
        t -> {
          int j0 = Math.min(op.n, lines * t / tasks * FLOATS_PER_LINE);
          int j1 = Math.min(op.n, lines * (t + 1) / tasks * FLOATS_PER_LINE);
          if (op.transB) {
            for (int j = j0; j < j1; j++) {
              float sum = dot(x, xi, op.b, op.bOffset + j * op.ldb, op.k);
              op.c[op.cOffset + j] = op.accumulate ? op.c[op.cOffset + j] + sum : sum;
            }
            return;
          }
          if (!op.accumulate) {
            Arrays.fill(op.c, op.cOffset + j0, op.cOffset + j1, 0f);
          }
          for (int p = 0; p < op.k; p++) {
            axpy(x[xi + p], op.b, op.bOffset + p * op.ldb + j0, op.c, op.cOffset + j0, j1 - j0);
          }
        });
  }

  private static float[] transposedRow(Operands op) {
    float[] row = new float[op.k];
    for (int p = 0; p < op.k; p++) {
      row[p] = op.a[op.aOffset + p * op.lda];
    }
    return row;
  }

  /**
   * Start of band {@code part} of {@code parts} when {@code tiles} tiles of {@code tile} cover
   * {@code size}.
   */
  private static int boundary(int size, int tile, int tiles, int part, int parts) {
    return (int) Math.min(size, (long) tiles * part / parts * tile);
  }

  /**
   * Picks the split with the least redundant packing (each row band packs its columns of B, each
   * column band its rows of A), using no more tasks than the work justifies.
   */
  Plan plan(int m, int n, int k, int threads) {
    long work = (long) m * n * k;
    int maxTasks = (int) Math.max(1, Math.min(threads, work / minTaskWork));
    int tileRows = (m + mr - 1) / mr;
    int tileCols = (n + nr - 1) / nr;
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

  /** Computes rows [i0, i1) × columns [j0, j1) of C. */
  private void region(Operands op, int kcMax, int i0, int i1, int j0, int j1) {
    Workspace ws = workspace.get();
    long tiledRows = (i1 - i0 + mr - 1L) / mr * mr;
    // When all the region's rows of A fit the buffer, pack them once per k block and reuse them
    // for every column block; otherwise pack one row block at a time.
    boolean packOnce = tiledRows * kcMax <= ws.a.length;
    // Loops step by the block just done, so indices never pass the (int) bounds.
    for (int pc = 0, kc; pc < op.k; pc += kc) {
      kc = Math.min(kcMax, op.k - pc);
      boolean add = op.accumulate || pc > 0;
      if (packOnce) {
        packA(op, pc, kc, i0, i1 - i0, ws.a);
      }
      for (int jc = j0, ncb; jc < j1; jc += ncb) {
        ncb = Math.min(nc, j1 - jc);
        packB(op, pc, kc, jc, ncb, ws.b);
        for (int ic = i0, mcb; ic < i1; ic += mcb) {
          mcb = Math.min(mc, i1 - ic);
          int ai = 0;
          if (packOnce) {
            ai = (ic - i0) * kc;
          } else {
            packA(op, pc, kc, ic, mcb, ws.a);
          }
          block(ws, kc, ai, mcb, ncb, add, op.c, op.cOffset + ic * op.ldc + jc, op.ldc);
        }
      }
    }
  }

  /**
   * Multiplies the packed mcb×kc block of A at {@code ai0} by the packed kc×ncb panel of B into C
   * at {@code ci0}.
   */
  private void block(
      Workspace ws, int kc, int ai0, int mcb, int ncb, boolean add, float[] c, int ci0, int ldc) {
    float[] ap = ws.a;
    float[] bp = ws.b;
    for (int jr = 0; jr < ncb; jr += nr) {
      int cols = Math.min(nr, ncb - jr);
      int bi = jr * kc;
      for (int ir = 0; ir < mcb; ir += mr) {
        int rows = Math.min(mr, mcb - ir);
        int ai = ai0 + ir * kc;
        int ci = ci0 + ir * ldc + jr;
        if (rows == mr && cols == nr) {
          kernel(kc, ap, ai, bp, bi, c, ci, ldc, add);
        } else {
          float[] tile = ws.tile;
          kernel(kc, ap, ai, bp, bi, tile, 0, nr, false);
          for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
              float v = tile[r * nr + j];
              c[row + j] = add ? c[row + j] + v : v;
            }
          }
        }
      }
    }
  }

  /**
   * Packs rows [i, i+mcb) × k range [pc, pc+kc) of op(A) as mr-row micro-panels: within a panel,
   * element (r, p) sits at p·mr + r. Rows past m are zero.
   */
  private void packA(Operands op, int pc, int kc, int i, int mcb, float[] dst) {
    float[] a = op.a;
    // Steps in the stored array between neighbouring rows and columns of op(A).
    int rowStep = op.transA ? 1 : op.lda;
    int colStep = op.transA ? op.lda : 1;
    for (int ir = 0; ir < mcb; ir += mr) {
      int d = ir * kc;
      int rows = Math.min(mr, op.m - (i + ir));
      for (int r = 0; r < mr; r++) {
        if (r < rows) {
          int src = op.aOffset + (i + ir + r) * rowStep + pc * colStep;
          for (int p = 0; p < kc; p++) {
            dst[d + p * mr + r] = a[src + p * colStep];
          }
        } else {
          for (int p = 0; p < kc; p++) {
            dst[d + p * mr + r] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs k range [pc, pc+kc) × columns [j, j+ncb) of op(B) as nr-column micro-panels: within a
   * panel, element (p, q) sits at p·nr + q. Columns past n are zero.
   */
  private void packB(Operands op, int pc, int kc, int j, int ncb, float[] dst) {
    float[] b = op.b;
    int ldb = op.ldb;
    for (int jr = 0; jr < ncb; jr += nr) {
      int d = jr * kc;
      int cols = Math.min(nr, op.n - (j + jr));
      if (op.transB) {
        for (int q = 0; q < nr; q++) {
          if (q < cols) {
            int src = op.bOffset + (j + jr + q) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              dst[d + p * nr + q] = b[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              dst[d + p * nr + q] = 0f;
            }
          }
        }
      } else {
        int src = op.bOffset + pc * ldb + j + jr;
        for (int p = 0; p < kc; p++, src += ldb, d += nr) {
          if (cols == nr) {
            copyPanelRow(b, src, dst, d);
          } else {
            for (int q = 0; q < cols; q++) {
              dst[d + q] = b[src + q];
            }
            for (int q = cols; q < nr; q++) {
              dst[d + q] = 0f;
            }
          }
        }
      }
    }
  }
}
