package dev.deepcompress.runtime.kernels;

/**
 * A column-major copy of a {@link QuantizedSparseMatrix}, cut into row slices, for products that
 * skip zero activations: slice s holds, column by column, the elements of its rows, so a thread
 * scatters only into its own rows of y. Within a column, rows ascend and are distinct; every y
 * element receives its terms in column order, whatever the slices.
 *
 * <p>Each element is one packed value, its row within the slice above its codebook index: a {@code
 * char} with five code bits when the codebook has at most 32 entries (slices of up to 2,048 rows),
 * else an {@code int} with eight. One load per element instead of two, and a {@code char} copy is
 * two bytes per element rather than three.
 */
final class ColumnMajor {
  /** Code bits of a {@code char} element; its row within the slice takes the other eleven. */
  private static final int NARROW_CODE_BITS = 5;

  /** Rows of a slice of {@code char} elements. */
  static final int NARROW_SLICE_ROWS = 1 << (16 - NARROW_CODE_BITS);

  /** Where the {@code char} loop's tail adds the elements it reads past a column's end. */
  private static final int SPARE_ROW = NARROW_SLICE_ROWS;

  /**
   * Elements the {@code char} loop's tail always reads, whatever the column's length modulo four:
   * the {@code char} array has that many more at its end, so the last column's tail stays inside.
   */
  private static final int TAIL_READS = 3;

  /** Code bits of an {@code int} element; its row within the slice takes the other 24. */
  private static final int WIDE_CODE_BITS = 8;

  /** Rows of a slice of {@code int} elements. */
  static final int WIDE_SLICE_ROWS = 1 << (32 - WIDE_CODE_BITS);

  /** First row of each slice, then the row count. */
  final int[] slices;

  /** The task count the slices were cut for ({@code QuantizedSparseMatrix.columnSlices}). */
  final int tasks;

  private final int columns;

  /** Slice s's column c is elements {@code columnStart[s·(columns+1) + c] .. (c+1) - 1}. */
  private final int[] columnStart;

  /** Elements when the codebook has at most 32 entries, else null. */
  private final char[] narrow;

  /** Elements when the codebook has more than 32 entries, else null. */
  private final int[] wide;

  private final float[] codebook;

  /** Whether a codebook of that many entries gets {@code char} elements. */
  static boolean narrow(int codebookSize) {
    return codebookSize <= 1 << NARROW_CODE_BITS;
  }

  ColumnMajor(QuantizedSparseMatrix m, int[] slices, int tasks) {
    this.slices = slices;
    this.tasks = tasks;
    this.columns = m.columns;
    this.codebook = m.codebook;
    boolean isNarrow = narrow(codebook.length);
    int codeBits = isNarrow ? NARROW_CODE_BITS : WIDE_CODE_BITS;
    int stride = columns + 1;
    columnStart = new int[(slices.length - 1) * stride];
    narrow = isNarrow ? new char[m.nonZeros() + TAIL_READS] : null;
    wide = isNarrow ? null : new int[m.nonZeros()];
    int[] next = new int[columns];
    for (int s = 0; s + 1 < slices.length; s++) {
      int base = s * stride;
      int first = m.rowStart[slices[s]];
      int end = m.rowStart[slices[s + 1]];
      for (int k = first; k < end; k++) {
        columnStart[base + column(m, k) + 1]++;
      }
      columnStart[base] = first;
      for (int c = 0; c < columns; c++) {
        columnStart[base + c + 1] += columnStart[base + c];
        next[c] = columnStart[base + c];
      }
      for (int r = slices[s]; r < slices[s + 1]; r++) {
        int high = (r - slices[s]) << codeBits;
        for (int k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) {
          int to = next[column(m, k)]++;
          int element = high | (m.codes[k] & 0xFF);
          if (isNarrow) {
            narrow[to] = (char) element;
          } else {
            wide[to] = element;
          }
        }
      }
    }
  }

  /** Bytes of the copy's arrays. */
  long bytes() {
    long elements = narrow != null ? 2L * narrow.length : 4L * wide.length;
    return elements + 4L * columnStart.length + 4L * slices.length;
  }

  private static int column(QuantizedSparseMatrix m, int k) {
    return m.narrowColumns != null ? m.narrowColumns[k] : m.wideColumns[k];
  }

  /**
   * Sets slice {@code slice}'s rows of {@code y} to {@code bias + W·x}, given the {@code count}
   * columns where x is not zero and their values. A column with at least as many elements as the
   * codebook has entries first scales the codebook by its x, so that an element costs a table load
   * and an add; a shorter one multiplies each element's entry by x instead, which is cheaper than
   * scaling the whole codebook (a 64-entry codebook over columns of 20 elements, as in
   * LeNet-300-100's ip1). Both give the same products, so the same bits. The slice is summed in a
   * local array; for {@code char} elements one of fixed length that their row field cannot overrun,
   * which lets the JIT drop the bounds check.
   *
   * <p>The scaled loops take four elements per step by hand. Left to itself, C2 unrolls them eight
   * times, loads all eight elements first and runs out of registers, spilling the loop index and
   * bounds; four per step keeps them in registers. The {@code char} loop's last zero to three
   * elements take no branch: it always does three more, and those past the column's end add into a
   * spare row, because a loop for them mispredicted its exit about once per column. Each row still
   * receives its terms in column order, so the bits do not change. Timings in docs/kernel-notes.md.
   */
  void multiply(
      int slice, int[] nonZeroColumns, float[] values, int count, float[] bias, float[] y) {
    int r0 = slices[slice];
    int rows = slices[slice + 1] - r0;
    int base = slice * (columns + 1);
    int entries = codebook.length;
    if (narrow != null) {
      // One more than the rows: the tail's elements past a column's end add into it.
      float[] sums = new float[SPARE_ROW + 1];
      float[] scaled = new float[1 << NARROW_CODE_BITS];
      int mask = (1 << NARROW_CODE_BITS) - 1;
      System.arraycopy(bias, r0, sums, 0, rows);
      for (int i = 0; i < count; i++) {
        int start = columnStart[base + nonZeroColumns[i]];
        int end = columnStart[base + nonZeroColumns[i] + 1];
        if (end - start >= entries) {
          scale(values[i], scaled);
          int k = start;
          for (; k < end - 3; k += 4) {
            int e0 = narrow[k];
            sums[e0 >>> NARROW_CODE_BITS] += scaled[e0 & mask];
            int e1 = narrow[k + 1];
            sums[e1 >>> NARROW_CODE_BITS] += scaled[e1 & mask];
            int e2 = narrow[k + 2];
            sums[e2 >>> NARROW_CODE_BITS] += scaled[e2 & mask];
            int e3 = narrow[k + 3];
            sums[e3 >>> NARROW_CODE_BITS] += scaled[e3 & mask];
          }
          int f0 = narrow[k];
          sums[k < end ? f0 >>> NARROW_CODE_BITS : SPARE_ROW] += scaled[f0 & mask];
          int f1 = narrow[k + 1];
          sums[k + 1 < end ? f1 >>> NARROW_CODE_BITS : SPARE_ROW] += scaled[f1 & mask];
          int f2 = narrow[k + 2];
          sums[k + 2 < end ? f2 >>> NARROW_CODE_BITS : SPARE_ROW] += scaled[f2 & mask];
        } else {
          float x = values[i];
          for (int k = start; k < end; k++) {
            int element = narrow[k];
            sums[element >>> NARROW_CODE_BITS] += codebook[element & mask] * x;
          }
        }
      }
      System.arraycopy(sums, 0, y, r0, rows);
    } else {
      float[] sums = new float[rows];
      float[] scaled = new float[1 << WIDE_CODE_BITS];
      int mask = (1 << WIDE_CODE_BITS) - 1;
      System.arraycopy(bias, r0, sums, 0, rows);
      for (int i = 0; i < count; i++) {
        int start = columnStart[base + nonZeroColumns[i]];
        int end = columnStart[base + nonZeroColumns[i] + 1];
        if (end - start >= entries) {
          scale(values[i], scaled);
          int k = start;
          for (; k < end - 3; k += 4) {
            int e0 = wide[k];
            sums[e0 >>> WIDE_CODE_BITS] += scaled[e0 & mask];
            int e1 = wide[k + 1];
            sums[e1 >>> WIDE_CODE_BITS] += scaled[e1 & mask];
            int e2 = wide[k + 2];
            sums[e2 >>> WIDE_CODE_BITS] += scaled[e2 & mask];
            int e3 = wide[k + 3];
            sums[e3 >>> WIDE_CODE_BITS] += scaled[e3 & mask];
          }
          for (; k < end; k++) {
            int element = wide[k];
            sums[element >>> WIDE_CODE_BITS] += scaled[element & mask];
          }
        } else {
          float x = values[i];
          for (int k = start; k < end; k++) {
            int element = wide[k];
            sums[element >>> WIDE_CODE_BITS] += codebook[element & mask] * x;
          }
        }
      }
      System.arraycopy(sums, 0, y, r0, rows);
    }
  }

  private void scale(float x, float[] scaled) {
    for (int i = 0; i < codebook.length; i++) {
      scaled[i] = codebook[i] * x;
    }
  }
}
