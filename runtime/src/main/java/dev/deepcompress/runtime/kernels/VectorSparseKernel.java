package dev.deepcompress.runtime.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sparse kernels on the Vector API. Against a dense matrix each non-zero is broadcast and
 * multiplied into a strip of output lanes.
 *
 * <p>At batch 1, with {@link #vectorRows}, a row's non-zeros are taken a vector of lanes at a time:
 * the codebook indices are widened to ints and looked up in registers (the codebook's raw bits held
 * in one, two or four vectors, read with {@code selectFrom}), or, for codebooks too large for that,
 * gathered from the codebook array; the activations are gathered by column, and both are multiplied
 * into a vector of partial sums. That is the default only for species of 16 or more float lanes:
 * with 8 lanes (AVX2) a 32-entry codebook needs four registers and gathers are slow, and the scalar
 * row loop is faster (docs/kernel-notes.md).
 */
final class VectorSparseKernel extends SparseKernel {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
  private static final int L = FLOATS.length();
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
  private static final VectorSpecies<Short> SHORTS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));

  private static final int HIGH_SHIFT = 31 - Integer.numberOfTrailingZeros(2 * L);

  /** L2 per core of the AMD EPYC (Zen 3) the blocks were tuned on. */
  private static final int L2_BYTES = 512 * 1024;

  /**
   * Bytes of b that one column block of an eight-vector strip reads: a quarter of L2, so that the
   * block's rows are reused from L2 rather than L3. Blocking costs a little where the rows fit in
   * L2 whole, so such products take one block.
   */
  private static final int COLUMN_BLOCK_BYTES = L2_BYTES / 4;

  /** Codebooks up to this size are looked up in registers; larger ones are gathered. */
  static final int MAX_REGISTER_CODEBOOK = 4 * L;

  /** Whether batch 1 runs the vector row kernel rather than the scalar row loop. */
  private final boolean vectorRows;

  VectorSparseKernel() {
    this(L >= 16);
  }

  VectorSparseKernel(boolean vectorRows) {
    this.vectorRows = vectorRows;
  }

  @Override
  void rowsTimesVector(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1) {
    if (vectorRows) {
      vectorRowsTimesVector(m, x, bias, y, r0, r1);
    } else {
      rowsTimesVectorScalar(m, x, bias, y, r0, r1);
    }
  }

  private static void vectorRowsTimesVector(
      QuantizedSparseMatrix m, float[] x, float[] bias, float[] y, int r0, int r1) {
    float[] codebook = m.codebook;
    int tables = Math.ceilDiv(codebook.length, L);
    int[] bits = new int[4 * L];
    for (int i = 0; i < codebook.length && i < bits.length; i++) {
      bits[i] = Float.floatToRawIntBits(codebook[i]);
    }
    IntVector t0 = IntVector.fromArray(INTS, bits, 0);
    IntVector t1 = IntVector.fromArray(INTS, bits, L);
    IntVector t2 = IntVector.fromArray(INTS, bits, 2 * L);
    IntVector t3 = IntVector.fromArray(INTS, bits, 3 * L);
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    byte[] codes = m.codes;
    int[] columnBuffer = new int[L];
    int[] codeBuffer = new int[L];
    for (int r = r0; r < r1; r++) {
      int k = m.rowStart[r];
      int end = m.rowStart[r + 1];
      FloatVector sum = FloatVector.zero(FLOATS);
      for (; k + L <= end; k += L) {
        // Codes are unsigned bytes: widen, then drop the sign extension.
        IntVector index =
            ((IntVector)
                    ByteVector.fromArray(BYTES, codes, k)
                        .convertShape(VectorOperators.B2I, INTS, 0))
                .and(0xFF);
        FloatVector weight;
        if (tables == 1) {
          weight = index.selectFrom(t0).reinterpretAsFloats();
        } else if (tables == 2) {
          weight = index.selectFrom(t0, t1).reinterpretAsFloats();
        } else if (tables <= 4) {
          // Two-table lookups wrap their index modulo 2L; the bit above, spread over the lane,
          // picks the pair.
          IntVector high =
              index.lanewise(VectorOperators.LSHL, HIGH_SHIFT).lanewise(VectorOperators.ASHR, 31);
          weight =
              index
                  .selectFrom(t0, t1)
                  .lanewise(VectorOperators.BITWISE_BLEND, index.selectFrom(t2, t3), high)
                  .reinterpretAsFloats();
        } else {
          index.intoArray(codeBuffer, 0);
          weight = FloatVector.fromArray(FLOATS, codebook, 0, codeBuffer, 0);
        }
        FloatVector input;
        if (narrow != null) {
          ((IntVector)
                  ShortVector.fromCharArray(SHORTS, narrow, k)
                      .convertShape(VectorOperators.S2I, INTS, 0))
              .and(0xFFFF)
              .intoArray(columnBuffer, 0);
          input = FloatVector.fromArray(FLOATS, x, 0, columnBuffer, 0);
        } else {
          input = FloatVector.fromArray(FLOATS, x, 0, wide, k);
        }
        sum = weight.fma(input, sum);
      }
      float tail = Lanes.sumInOrder(sum);
      for (; k < end; k++) {
        int column = narrow != null ? narrow[k] : wide[k];
        tail += codebook[codes[k] & 0xFF] * x[column];
      }
      y[r] = bias[r] + tail;
    }
  }

  @Override
  void rowsTimesDense(QuantizedSparseMatrix m, float[] b, int n, float[] c, int r0, int r1) {
    int j = 0;
    if (n >= 8 * L) {
      // Eight vectors of output per weight. Where the strip's rows of b outgrow L2, in column
      // blocks whose rows of b stay there.
      int stripBytes = 8 * L * Float.BYTES;
      int block =
          (long) m.columns * stripBytes > L2_BYTES
              ? COLUMN_BLOCK_BYTES / stripBytes
              : Math.max(1, m.columns);
      int[] next = new int[r1 - r0];
      for (; j + 8 * L <= n; j += 8 * L) {
        System.arraycopy(m.rowStart, r0, next, 0, r1 - r0);
        for (int c0 = 0; c0 == 0 || c0 < m.columns; c0 += block) {
          int c1 = Math.min(m.columns, c0 + block);
          for (int r = r0; r < r1; r++) {
            next[r - r0] = rowStripOf8(m, b, n, c, r, j, next[r - r0], c1, c0 == 0);
          }
        }
      }
    }
    // What n leaves: four vectors per pass over a row, then one, masked.
    for (; j + 4 * L <= n; j += 4 * L) {
      for (int r = r0; r < r1; r++) {
        rowStripOf4(m, b, n, c, r, j);
      }
    }
    for (; j < n; j += L) {
      VectorMask<Float> lanes = FLOATS.indexInRange(j, n);
      for (int r = r0; r < r1; r++) {
        rowStripOf1(m, b, n, c, r, j, lanes);
      }
    }
  }

  /**
   * Adds row r's elements from {@code k} up to its first in a column ≥ {@code c1} into output
   * columns j .. j + 8L - 1 of row r, which start from zero when {@code first}; returns where it
   * stopped. Each output keeps its terms in column order across the blocks, so the bits match an
   * unblocked pass.
   */
  private static int rowStripOf8(
      QuantizedSparseMatrix m,
      float[] b,
      int n,
      float[] c,
      int r,
      int j,
      int k,
      int c1,
      boolean first) {
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    int end = m.rowStart[r + 1];
    int out = r * n + j;
    FloatVector s0 = first ? FloatVector.zero(FLOATS) : FloatVector.fromArray(FLOATS, c, out);
    FloatVector s1 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + L);
    FloatVector s2 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 2 * L);
    FloatVector s3 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 3 * L);
    FloatVector s4 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 4 * L);
    FloatVector s5 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 5 * L);
    FloatVector s6 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 6 * L);
    FloatVector s7 = first ? s0 : FloatVector.fromArray(FLOATS, c, out + 7 * L);
    for (; k < end; k++) {
      int column = narrow != null ? narrow[k] : wide[k];
      if (column >= c1) {
        break;
      }
      FloatVector w = FloatVector.broadcast(FLOATS, m.codebook[m.codes[k] & 0xFF]);
      int in = column * n + j;
      s0 = w.fma(FloatVector.fromArray(FLOATS, b, in), s0);
      s1 = w.fma(FloatVector.fromArray(FLOATS, b, in + L), s1);
      s2 = w.fma(FloatVector.fromArray(FLOATS, b, in + 2 * L), s2);
      s3 = w.fma(FloatVector.fromArray(FLOATS, b, in + 3 * L), s3);
      s4 = w.fma(FloatVector.fromArray(FLOATS, b, in + 4 * L), s4);
      s5 = w.fma(FloatVector.fromArray(FLOATS, b, in + 5 * L), s5);
      s6 = w.fma(FloatVector.fromArray(FLOATS, b, in + 6 * L), s6);
      s7 = w.fma(FloatVector.fromArray(FLOATS, b, in + 7 * L), s7);
    }
    s0.intoArray(c, out);
    s1.intoArray(c, out + L);
    s2.intoArray(c, out + 2 * L);
    s3.intoArray(c, out + 3 * L);
    s4.intoArray(c, out + 4 * L);
    s5.intoArray(c, out + 5 * L);
    s6.intoArray(c, out + 6 * L);
    s7.intoArray(c, out + 7 * L);
    return k;
  }

  private static void rowStripOf4(
      QuantizedSparseMatrix m, float[] b, int n, float[] c, int r, int j) {
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    FloatVector s0 = FloatVector.zero(FLOATS);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    for (int k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) {
      FloatVector w = FloatVector.broadcast(FLOATS, m.codebook[m.codes[k] & 0xFF]);
      int in = (narrow != null ? narrow[k] : wide[k]) * n + j;
      s0 = w.fma(FloatVector.fromArray(FLOATS, b, in), s0);
      s1 = w.fma(FloatVector.fromArray(FLOATS, b, in + L), s1);
      s2 = w.fma(FloatVector.fromArray(FLOATS, b, in + 2 * L), s2);
      s3 = w.fma(FloatVector.fromArray(FLOATS, b, in + 3 * L), s3);
    }
    int out = r * n + j;
    s0.intoArray(c, out);
    s1.intoArray(c, out + L);
    s2.intoArray(c, out + 2 * L);
    s3.intoArray(c, out + 3 * L);
  }

  /** One vector of output, masked to the lanes that exist (the strip may run past n). */
  private static void rowStripOf1(
      QuantizedSparseMatrix m, float[] b, int n, float[] c, int r, int j, VectorMask<Float> lanes) {
    char[] narrow = m.narrowColumns;
    int[] wide = m.wideColumns;
    FloatVector s = FloatVector.zero(FLOATS);
    for (int k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) {
      FloatVector w = FloatVector.broadcast(FLOATS, m.codebook[m.codes[k] & 0xFF]);
      int in = (narrow != null ? narrow[k] : wide[k]) * n + j;
      s = w.fma(FloatVector.fromArray(FLOATS, b, in, lanes), s);
    }
    s.intoArray(c, r * n + j, lanes);
  }
}
