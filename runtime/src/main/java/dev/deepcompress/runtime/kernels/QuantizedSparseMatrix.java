package dev.deepcompress.runtime.kernels;

import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A sparse-quantized [rows, columns] matrix in the form the compressed-domain kernels run on,
 * decoded once from a {@link SparseQuantizedTensor}: compressed sparse rows whose elements are a
 * column index and a one-byte codebook index. Column indices take two bytes (unsigned {@code char})
 * when the matrix has at most 65,536 columns, else four: at batch 1 every byte of the matrix is
 * read once per product, so bytes per non-zero set the memory traffic.
 *
 * <p>The products use the Vector API when {@code jdk.incubator.vector} is available and plain Java
 * otherwise, on {@link KernelThreads#threads()} threads, each taking a contiguous block of rows
 * with about the same number of non-zeros. Each output element is always summed in the same order,
 * so results do not depend on the thread count. Immutable apart from a column-major copy built on
 * first use of {@link #multiplyVectorSkippingZeros}; safe for concurrent use.
 */
public final class QuantizedSparseMatrix {
  /** Widest matrix whose column indices fit in a {@code char}. */
  static final int MAX_NARROW_INDEX = 1 << 16;

  /** Non-zero multiply-adds below which a task is not worth handing to another thread. */
  private static final long MIN_TASK_WORK = 1L << 15;

  /** Floats per cache line: row blocks of a vector product start on a multiple of this. */
  private static final int ROW_ALIGNMENT = 16;

  /**
   * Batch rows transposed and multiplied at once by {@link #multiplyBatch}: 64, so that a batch of
   * 64 reads each weight once, in the Vector API kernel's eight-vector strips.
   */
  private static final int BATCH_TILE = 64;

  final int rows;
  final int columns;

  /** Row r's elements are {@code rowStart[r] .. rowStart[r + 1] - 1}. */
  final int[] rowStart;

  /** Column of each element when {@code columns ≤ 65,536}, else null. */
  final char[] narrowColumns;

  /** Column of each element when {@code columns > 65,536}, else null. */
  final int[] wideColumns;

  /** Unsigned codebook index of each element. */
  final byte[] codes;

  final float[] codebook;

  private volatile ColumnMajor columnMajor;

  private QuantizedSparseMatrix(
      int rows,
      int columns,
      int[] rowStart,
      char[] narrowColumns,
      int[] wideColumns,
      byte[] codes,
      float[] codebook) {
    this.rows = rows;
    this.columns = columns;
    this.rowStart = rowStart;
    this.narrowColumns = narrowColumns;
    this.wideColumns = wideColumns;
    this.codes = codes;
    this.codebook = codebook;
  }

  /**
   * Decodes {@code tensor}, read as a row-major [rows, columns] matrix (a fully connected weight
   * [outputs, inputs], or a convolution weight [O, C, k, k] as [O, C·k·k]).
   *
   * @throws IllegalArgumentException if the tensor's first dimension is not {@code rows} or its
   *     element count is not {@code rows · columns}
   */
  public static QuantizedSparseMatrix of(SparseQuantizedTensor tensor, int rows, int columns) {
    return of(tensor, rows, columns, columns > MAX_NARROW_INDEX);
  }

  /**
   * {@link #of(SparseQuantizedTensor, int, int)} with four-byte columns forced when {@code wide}.
   */
  static QuantizedSparseMatrix of(
      SparseQuantizedTensor tensor, int rows, int columns, boolean wide) {
    if (rows < 1
        || columns < 1
        || tensor.shape().dim(0) != rows
        || (long) rows * columns != tensor.shape().elementCount()) {
      throw new IllegalArgumentException(
          "cannot read " + tensor + " as a matrix of " + rows + " rows × " + columns + " columns");
    }
    int[] positions = tensor.positions();
    int[] rowStart = new int[rows + 1];
    char[] narrow = wide ? null : new char[positions.length];
    int[] wideColumns = wide ? new int[positions.length] : null;
    // Positions ascend, so rows come in order: count per row, then prefix sums.
    for (int i = 0; i < positions.length; i++) {
      rowStart[positions[i] / columns + 1]++;
      int column = positions[i] % columns;
      if (wide) {
        wideColumns[i] = column;
      } else {
        narrow[i] = (char) column;
      }
    }
    for (int r = 0; r < rows; r++) {
      rowStart[r + 1] += rowStart[r];
    }
    return new QuantizedSparseMatrix(
        rows, columns, rowStart, narrow, wideColumns, tensor.codes(), tensor.codebook());
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  /** Number of stored elements. */
  public int nonZeros() {
    return codes.length;
  }

  /** Entries of the codebook. */
  public int codebookSize() {
    return codebook.length;
  }

  /**
   * Bytes of the arrays the kernels read: row pointers, column indices, codebook indices and
   * codebook, plus the column-major copy once it is built ({@link #prepareSkippingZeros}).
   */
  public long bytesInMemory() {
    long columnBytes = narrowColumns != null ? 2L * narrowColumns.length : 4L * wideColumns.length;
    ColumnMajor csc = columnMajor;
    return 4L * rowStart.length
        + columnBytes
        + codes.length
        + 4L * codebook.length
        + (csc != null ? csc.bytes() : 0);
  }

  /**
   * {@code y[r] = bias[r] + Σ_c W[r][c]·x[c]}, row by row (compressed sparse rows). With vectors of
   * 16 or more floats (512-bit), a vector of non-zeros at a time: codebook lookup in registers and
   * gathered activations; with narrower vectors, a scalar loop, which is faster there.
   *
   * @param x {@link #columns()} values
   * @param bias {@link #rows()} values
   * @param y receives {@link #rows()} values; must not be {@code x}
   * @throws IllegalArgumentException if an array has the wrong length
   */
  public void multiplyVector(float[] x, float[] bias, float[] y) {
    multiplyVector(Simd.SPARSE, KernelThreads.threads(), x, bias, y);
  }

  void multiplyVector(SparseKernel kernel, int threads, float[] x, float[] bias, float[] y) {
    checkVectorArguments("multiplyVector", x, bias, y);
    int[] blocks = rowBlocks(tasks(threads, codes.length), ROW_ALIGNMENT);
    runBlocks(blocks, (r0, r1) -> kernel.rowsTimesVector(this, x, bias, y, r0, r1));
  }

  /**
   * Least fraction of zeros in x at which {@link #multiplyVectorSkippingZeros} is the faster
   * product: the measured break-even on the paper's sparsest large layers (docs/kernel-notes.md).
   */
  public static final double MIN_ZERO_FRACTION_TO_SKIP = 0.25;

  /**
   * Least mean number of elements per column and slice of the column-major copy for {@link
   * #multiplyVectorSkippingZeros} to pay at all. Each column costs a loop of its own, whose exit
   * mispredicts, so short columns lose even when half of x is zero: measured, 30 per column lose
   * and 82 win (docs/kernel-notes.md).
   */
  public static final int MIN_COLUMN_LENGTH_TO_SKIP = 50;

  /**
   * Whether this matrix's columns are long enough for {@link #multiplyVectorSkippingZeros} to pay
   * (see {@link #MIN_COLUMN_LENGTH_TO_SKIP}), with the copy cut for {@link
   * KernelThreads#threads()}.
   */
  public boolean skippingZerosCanPay() {
    // Counts the slices without cutting them.
    int slices = columnSliceCount(tasks(KernelThreads.threads(), codes.length));
    return codes.length >= (long) MIN_COLUMN_LENGTH_TO_SKIP * columns * slices;
  }

  /**
   * Whether {@link #multiplyVectorSkippingZeros} is the faster product for x: the columns are long
   * enough ({@link #skippingZerosCanPay}) and x has at least {@link #MIN_ZERO_FRACTION_TO_SKIP}
   * zeros.
   */
  public boolean skippingZerosPays(float[] x) {
    return skippingZerosCanPay() && enoughZerosToSkip(x);
  }

  /**
   * Whether x has at least {@link #MIN_ZERO_FRACTION_TO_SKIP} zeros: what {@link
   * #skippingZerosPays} asks of x, for a caller that has settled {@link #skippingZerosCanPay} once.
   */
  public static boolean enoughZerosToSkip(float[] x) {
    int zeros = 0;
    for (float v : x) {
      if (v == 0f) {
        zeros++;
      }
    }
    return zeros >= MIN_ZERO_FRACTION_TO_SKIP * x.length;
  }

  /**
   * The same product as {@link #multiplyVector}, column by column, skipping the columns whose
   * {@code x} is zero (as after a ReLU): fewer weights read for sparse activations, at the cost of
   * scattered adds into {@code y}. Builds a column-major copy of the matrix on first use.
   *
   * @throws IllegalArgumentException if an array has the wrong length
   */
  public void multiplyVectorSkippingZeros(float[] x, float[] bias, float[] y) {
    multiplyVectorSkippingZeros(KernelThreads.threads(), x, bias, y);
  }

  /**
   * Builds the column-major copy {@link #multiplyVectorSkippingZeros} runs on, for the current
   * {@link KernelThreads#threads()}, unless it exists: so that the first product is not slowed by
   * it and {@link #bytesInMemory} counts it.
   */
  public void prepareSkippingZeros() {
    columnMajor(KernelThreads.threads());
  }

  void multiplyVectorSkippingZeros(int threads, float[] x, float[] bias, float[] y) {
    checkVectorArguments("multiplyVectorSkippingZeros", x, bias, y);
    ColumnMajor csc = columnMajor(threads);
    // Listed once for all slices: a branch per column on x would mispredict on ReLU outputs.
    int[] nonZeroColumns = new int[columns];
    float[] values = new float[columns];
    int count = 0;
    for (int c = 0; c < columns; c++) {
      if (x[c] != 0f) {
        nonZeroColumns[count] = c;
        values[count++] = x[c];
      }
    }
    int nonZeroCount = count;
    KernelThreads.parallelFor(
        csc.slices.length - 1,
        slice -> csc.multiply(slice, nonZeroColumns, values, nonZeroCount, bias, y));
  }

  /**
   * Row slices of the column-major copy: {@code tasks} blocks of about equal non-zeros, or, when
   * the rows do not fit that many slices of the copy's packed elements, the least multiple of
   * {@code tasks} that fits them, so that every thread gets as many slices.
   */
  int[] columnSlices(int tasks) {
    return rowBlocks(columnSliceCount(tasks), ROW_ALIGNMENT, columnSliceRows());
  }

  /** Slices {@link #columnSlices} asks for; empty ones, if any, are dropped from its result. */
  private int columnSliceCount(int tasks) {
    return Math.ceilDiv(Math.ceilDiv(rows, columnSliceRows()), tasks) * tasks;
  }

  /** Most rows of a slice of the column-major copy. */
  private int columnSliceRows() {
    return ColumnMajor.narrow(codebook.length)
        ? ColumnMajor.NARROW_SLICE_ROWS
        : ColumnMajor.WIDE_SLICE_ROWS;
  }

  /**
   * {@code c[r][j] = Σ_k W[r][k]·b[k][j]} for a dense row-major b of {@link #columns()} rows × n:
   * each weight is read once per strip of n, and the products run over n in vector lanes. A
   * convolution is this product with b its im2col column matrix.
   *
   * @param b at least {@code columns() · n} values, row-major with row length n
   * @param c receives {@code rows() · n} values, row-major with row length n; must not be b
   * @throws IllegalArgumentException if n is negative or an array is too short
   */
  public void multiplyDense(float[] b, int n, float[] c) {
    multiplyDense(Simd.SPARSE, KernelThreads.threads(), b, n, c);
  }

  void multiplyDense(SparseKernel kernel, int threads, float[] b, int n, float[] c) {
    Objects.requireNonNull(b, "multiplyDense: b is null");
    Objects.requireNonNull(c, "multiplyDense: c is null");
    if (n < 0) {
      throw new IllegalArgumentException("multiplyDense: n must be ≥ 0, got " + n);
    }
    checkLength("multiplyDense", "b", b, (long) columns * n);
    checkLength("multiplyDense", "c", c, (long) rows * n);
    if (b == c) {
      throw new IllegalArgumentException("multiplyDense: b and c must be different arrays");
    }
    int[] blocks = rowBlocks(tasks(threads, (long) codes.length * n), 1);
    runBlocks(blocks, (r0, r1) -> kernel.rowsTimesDense(this, b, n, c, r0, r1));
  }

  /**
   * {@code y[i][r] = bias[r] + Σ_c W[r][c]·x[i][c]} for a batch of input rows, as a fully connected
   * layer computes {@code X·Wᵀ + b}. One row goes through {@link #multiplyVector}; larger batches
   * are transposed a tile of rows at a time and go through {@link #multiplyDense}, so each weight
   * is read once per tile rather than once per row.
   *
   * @param x {@code batch · columns()} values, row-major
   * @param bias {@link #rows()} values
   * @param y receives {@code batch · rows()} values, row-major
   * @throws IllegalArgumentException if the batch is negative or an array has the wrong length
   */
  public void multiplyBatch(float[] x, int batch, float[] bias, float[] y) {
    multiplyBatch(Simd.SPARSE, KernelThreads.threads(), x, batch, bias, y);
  }

  void multiplyBatch(
      SparseKernel kernel, int threads, float[] x, int batch, float[] bias, float[] y) {
    Objects.requireNonNull(x, "multiplyBatch: x is null");
    Objects.requireNonNull(bias, "multiplyBatch: bias is null");
    Objects.requireNonNull(y, "multiplyBatch: y is null");
    if (batch < 0) {
      throw new IllegalArgumentException("multiplyBatch: batch must be ≥ 0, got " + batch);
    }
    checkExactLength("multiplyBatch", "x", x, (long) batch * columns);
    checkExactLength("multiplyBatch", "bias", bias, rows);
    checkExactLength("multiplyBatch", "y", y, (long) batch * rows);
    if (batch == 1) {
      multiplyVector(kernel, threads, x, bias, y);
      return;
    }
    // The tile's transposed input and product must each fit in an array.
    int tile = Math.min(Math.min(batch, BATCH_TILE), Integer.MAX_VALUE / Math.max(rows, columns));
    float[] transposed = new float[columns * tile];
    float[] product = new float[rows * tile];
    for (int first = 0; first < batch; first += tile) {
      int n = Math.min(tile, batch - first);
      for (int i = 0; i < n; i++) {
        int in = (first + i) * columns;
        for (int col = 0; col < columns; col++) {
          transposed[col * n + i] = x[in + col];
        }
      }
      multiplyDense(kernel, threads, transposed, n, product);
      for (int i = 0; i < n; i++) {
        int out = (first + i) * rows;
        for (int r = 0; r < rows; r++) {
          y[out + r] = bias[r] + product[r * n + i];
        }
      }
    }
  }

  /** A task body over rows [r0, r1). */
  private interface RowRange {
    void run(int r0, int r1);
  }

  private static void runBlocks(int[] blocks, RowRange body) {
    if (blocks.length == 2) {
      body.run(blocks[0], blocks[1]);
    } else {
      KernelThreads.parallelFor(blocks.length - 1, t -> body.run(blocks[t], blocks[t + 1]));
    }
  }

  private static int tasks(int threads, long work) {
    return (int) Math.max(1, Math.min(threads, work / MIN_TASK_WORK));
  }

  /**
   * Boundaries of {@code tasks} contiguous row blocks holding about equal numbers of non-zeros,
   * each starting on a multiple of {@code alignment} rows (so that blocks of a vector product write
   * separate cache lines). Empty blocks are dropped; the result starts at 0 and ends at rows.
   */
  int[] rowBlocks(int tasks, int alignment) {
    return rowBlocks(tasks, alignment, Integer.MAX_VALUE);
  }

  /**
   * {@link #rowBlocks(int, int)} with no block longer than {@code maxRows}, a multiple of the
   * alignment; {@code tasks · maxRows} must be at least {@link #rows}.
   */
  int[] rowBlocks(int tasks, int alignment, int maxRows) {
    int[] bounds = new int[tasks + 1];
    int count = 1;
    for (int t = 1; t < tasks; t++) {
      long target = (long) codes.length * t / tasks;
      int row = firstRowStartingAtOrAfter(target);
      row = Math.min(rows, (row + alignment / 2) / alignment * alignment);
      // No further than maxRows from the last bound, and leaving the blocks to come no more rows
      // than they can hold; both limits are aligned and the second never passes the first.
      long leastRow = rows - (long) (tasks - t) * maxRows;
      row = (int) Math.min(row, bounds[count - 1] + (long) maxRows);
      if (row < leastRow) {
        row = (int) Math.min(rows, (leastRow + alignment - 1) / alignment * alignment);
      }
      if (row > bounds[count - 1]) {
        bounds[count++] = row;
      }
    }
    if (bounds[count - 1] < rows) {
      bounds[count++] = rows;
    }
    return Arrays.copyOf(bounds, count);
  }

  private int firstRowStartingAtOrAfter(long element) {
    int lo = 0;
    int hi = rows;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (rowStart[mid] < element) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The column-major copy cut for {@code threads}; cut and built only when that changes. */
  private ColumnMajor columnMajor(int threads) {
    int tasks = tasks(threads, codes.length);
    ColumnMajor csc = columnMajor;
    if (csc == null || csc.tasks != tasks) {
      csc = new ColumnMajor(this, columnSlices(tasks), tasks);
      columnMajor = csc;
    }
    return csc;
  }

  private void checkVectorArguments(String method, float[] x, float[] bias, float[] y) {
    Objects.requireNonNull(x, method + ": x is null");
    Objects.requireNonNull(bias, method + ": bias is null");
    Objects.requireNonNull(y, method + ": y is null");
    checkExactLength(method, "x", x, columns);
    checkExactLength(method, "bias", bias, rows);
    checkExactLength(method, "y", y, rows);
    if (x == y) {
      throw new IllegalArgumentException(method + ": x and y must be different arrays");
    }
  }

  private void checkExactLength(String method, String name, float[] array, long expected) {
    if (array.length != expected) {
      throw new IllegalArgumentException(
          method
              + ": "
              + name
              + " has "
              + array.length
              + " values, expected "
              + expected
              + " for a "
              + rows
              + "×"
              + columns
              + " matrix");
    }
  }

  private void checkLength(String method, String name, float[] array, long needed) {
    if (array.length < needed) {
      throw new IllegalArgumentException(
          method
              + ": "
              + name
              + " has "
              + array.length
              + " values, needs at least "
              + needed
              + " for a "
              + rows
              + "×"
              + columns
              + " matrix");
    }
  }

  @Override
  public String toString() {
    return "QuantizedSparseMatrix["
        + rows
        + "×"
        + columns
        + ", "
        + nonZeros()
        + " non-zeros, "
        + codebook.length
        + "-entry codebook]";
  }
}
