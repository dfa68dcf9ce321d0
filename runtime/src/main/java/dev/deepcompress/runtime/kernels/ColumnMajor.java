package dev.deepcompress.runtime.kernels;

/**
 * A column-major copy of a {@link QuantizedSparseMatrix}, cut into the row blocks the threads work
 * on, for products that skip zero activations: block b holds, column by column, the elements of its
 * rows, so a thread scatters only into its own rows of y. Within a column, rows ascend and are
 * distinct; every y element receives its terms in column order, whatever the blocks.
 */
final class ColumnMajor {
  final int[] blocks;
  private final int columns;

  /** Block b's column c is elements {@code columnStart[b·(columns+1) + c] .. (c+1) - 1}. */
  private final int[] columnStart;

  /** Row of each element when the matrix has at most 65,536 rows, else null. */
  private final char[] narrowRows;

  /** Row of each element when the matrix has more than 65,536 rows, else null. */
  private final int[] wideRows;

  private final byte[] codes;
  private final float[] codebook;

  ColumnMajor(QuantizedSparseMatrix m, int[] blocks) {
    this.blocks = blocks.clone();
    this.columns = m.columns;
    this.codebook = m.codebook;
    int stride = columns + 1;
    int nonZeros = m.nonZeros();
    columnStart = new int[(blocks.length - 1) * stride];
    boolean wide = m.rows > QuantizedSparseMatrix.MAX_NARROW_INDEX;
    narrowRows = wide ? null : new char[nonZeros];
    wideRows = wide ? new int[nonZeros] : null;
    codes = new byte[nonZeros];
    int[] next = new int[columns];
    for (int b = 0; b + 1 < blocks.length; b++) {
      int base = b * stride;
      int first = m.rowStart[blocks[b]];
      int end = m.rowStart[blocks[b + 1]];
      for (int k = first; k < end; k++) {
        columnStart[base + column(m, k) + 1]++;
      }
      columnStart[base] = first;
      for (int c = 0; c < columns; c++) {
        columnStart[base + c + 1] += columnStart[base + c];
        next[c] = columnStart[base + c];
      }
      for (int r = blocks[b]; r < blocks[b + 1]; r++) {
        for (int k = m.rowStart[r]; k < m.rowStart[r + 1]; k++) {
          int to = next[column(m, k)]++;
          if (wide) {
            wideRows[to] = r;
          } else {
            narrowRows[to] = (char) r;
          }
          codes[to] = m.codes[k];
        }
      }
    }
  }

  private static int column(QuantizedSparseMatrix m, int k) {
    return m.narrowColumns != null ? m.narrowColumns[k] : m.wideColumns[k];
  }

  /** Sets block {@code block}'s rows of {@code y} to {@code bias + W·x}, skipping zero x. */
  void multiply(int block, float[] x, float[] bias, float[] y) {
    int r0 = blocks[block];
    System.arraycopy(bias, r0, y, r0, blocks[block + 1] - r0);
    int base = block * (columns + 1);
    for (int c = 0; c < columns; c++) {
      float xc = x[c];
      if (xc == 0f) {
        continue;
      }
      int end = columnStart[base + c + 1];
      for (int k = columnStart[base + c]; k < end; k++) {
        int row = narrowRows != null ? narrowRows[k] : wideRows[k];
        y[row] += codebook[codes[k] & 0xFF] * xc;
      }
    }
  }
}
