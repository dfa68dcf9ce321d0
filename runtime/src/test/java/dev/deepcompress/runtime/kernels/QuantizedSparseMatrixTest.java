package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deepcompress.runtime.model.RandomSparse;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every sparse kernel, on every codebook-size regime of the vector lookup (one, two and four
 * registers, gathered), agrees with the product of the dense decoding computed in double precision.
 */
class QuantizedSparseMatrixTest {
  /** The vector kernel with its batch-1 row kernel forced on, whatever the species. */
  private static final List<SparseKernel> KERNELS =
      List.of(new ScalarSparseKernel(), new VectorSparseKernel(true));

  /** One of each lookup regime at the preferred species, and their edges. */
  private static final int[] CODEBOOK_SIZES = {
    1,
    2,
    7,
    8,
    9,
    16,
    17,
    31,
    32,
    33,
    VectorSparseKernel.MAX_REGISTER_CODEBOOK,
    VectorSparseKernel.MAX_REGISTER_CODEBOOK + 1,
    200,
    256
  };

  private int savedThreads;

  @BeforeEach
  void widenPool() {
    savedThreads = KernelThreads.threads();
    KernelThreads.setThreads(2);
  }

  @AfterEach
  void restorePool() {
    KernelThreads.setThreads(savedThreads);
  }

  /** A [rows, columns] tensor with about {@code density} stored and a codebook of given size. */
  private static SparseQuantizedTensor tensor(
      SplittableRandom random, int rows, int columns, double density, int codebookSize) {
    int[] chosen = new int[rows * columns];
    int count = 0;
    for (int i = 0; i < chosen.length; i++) {
      if (random.nextDouble() < density) {
        chosen[count++] = i;
      }
    }
    byte[] codes = new byte[count];
    for (int i = 0; i < count; i++) {
      codes[i] = (byte) random.nextInt(codebookSize);
    }
    int indexBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(codebookSize - 1));
    return new SparseQuantizedTensor(
        Shape.of(rows, columns),
        RandomSparse.codebook(random, codebookSize),
        Arrays.copyOf(chosen, count),
        codes,
        indexBits,
        5);
  }

  private static float[] gaussian(SplittableRandom random, int length, double zeroFraction) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = random.nextDouble() < zeroFraction ? 0f : (float) random.nextGaussian();
    }
    return values;
  }

  /**
   * Checks {@code got[i·n + j]} against {@code bias[i] + Σ_k a[i][k]·b[k][j]} for a [m, k] by [k,
   * n] product, to 1e-5 of the sum of the terms' magnitudes.
   */
  private static void assertProduct(
      float[] a, int m, int k, float[] b, int n, float[] bias, float[] got, String what) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = bias == null ? 0 : bias[i];
        double magnitude = Math.abs(sum);
        for (int p = 0; p < k; p++) {
          double term = (double) a[i * k + p] * b[p * n + j];
          sum += term;
          magnitude += Math.abs(term);
        }
        float value = got[i * n + j];
        if (!(Math.abs(value - sum) <= 1e-5 * magnitude)) {
          fail(what + ": [" + i + "][" + j + "] is " + value + ", expected " + sum);
        }
      }
    }
  }

  /** The matrix-vector product {@code y = W·x + bias}, checked as a [rows, 1] product. */
  private static void assertVector(
      SparseQuantizedTensor weight, float[] x, float[] bias, float[] y, String what) {
    int rows = weight.shape().dim(0);
    int columns = weight.shape().dim(1);
    assertProduct(weight.toDense(), rows, columns, x, 1, bias, y, what);
  }

  /** {@code y[i][r] = bias[r] + Σ W[r][c]·x[i][c]}: checks yᵀ = W·xᵀ + bias. */
  private static void assertBatch(
      SparseQuantizedTensor weight, float[] x, int batch, float[] bias, float[] y, String what) {
    int rows = weight.shape().dim(0);
    int columns = weight.shape().dim(1);
    assertProduct(
        weight.toDense(),
        rows,
        columns,
        transpose(x, batch, columns),
        batch,
        bias,
        transpose(y, batch, rows),
        what);
  }

  private static float[] transpose(float[] a, int rows, int columns) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        t[c * rows + r] = a[r * columns + c];
      }
    }
    return t;
  }

  /** Runs every product of every kernel on one matrix and checks each. */
  private static void checkAllProducts(
      SplittableRandom random, SparseQuantizedTensor tensor, boolean wide, int threads) {
    int rows = tensor.shape().dim(0);
    int columns = tensor.shape().dim(1);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, columns, wide);
    String name = tensor + (wide ? " (int columns)" : "") + ", " + threads + " threads";
    float[] bias = gaussian(random, rows, 0);
    float[] x = gaussian(random, columns, 0.5);
    int n = 1 + random.nextInt(70);
    float[] b = gaussian(random, columns * n, 0.1);
    int batch = random.nextInt(40);
    float[] xs = gaussian(random, batch * columns, 0.5);
    for (SparseKernel kernel : KERNELS) {
      String what = kernel.getClass().getSimpleName() + ", " + name;
      float[] y = new float[rows];
      m.multiplyVector(kernel, threads, x, bias, y);
      assertVector(tensor, x, bias, y, what + ", vector");

      float[] c = new float[rows * n];
      Arrays.fill(c, Float.NaN);
      m.multiplyDense(kernel, threads, b, n, c);
      assertProduct(tensor.toDense(), rows, columns, b, n, null, c, what + ", dense n=" + n);

      float[] ys = new float[batch * rows];
      m.multiplyBatch(kernel, threads, xs, batch, bias, ys);
      assertBatch(tensor, xs, batch, bias, ys, what + ", batch " + batch);
    }
    float[] y = new float[rows];
    Arrays.fill(y, Float.NaN);
    m.multiplyVectorSkippingZeros(threads, x, bias, y);
    assertVector(tensor, x, bias, y, "skipping zeros, " + name);
  }

  @Test
  void everyKernelAgreesWithTheDenseProductOnRandomLayers() {
    for (int seed = 0; seed < 140; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int rows = 1 + random.nextInt(random.nextBoolean() ? 8 : 120);
      int columns = 1 + random.nextInt(random.nextBoolean() ? 20 : 300);
      double density = random.nextInt(6) == 0 ? 0.01 : random.nextDouble();
      int codebookSize = CODEBOOK_SIZES[seed % CODEBOOK_SIZES.length];
      checkAllProducts(
          random,
          tensor(random, rows, columns, density, codebookSize),
          random.nextInt(4) == 0,
          1 + random.nextInt(2));
    }
  }

  @Test
  void matricesWithMoreThan65536ColumnsOrRowsUseIntIndices() {
    SplittableRandom random = new SplittableRandom(7);
    SparseQuantizedTensor wideTensor = tensor(random, 3, 70_000, 0.01, 32);
    QuantizedSparseMatrix wide = QuantizedSparseMatrix.of(wideTensor, 3, 70_000);
    assertTrue(wide.narrowColumns == null && wide.wideColumns != null);
    checkAllProducts(random, wideTensor, true, 2);
    // 70,000 rows: the column-major copy needs int row indices.
    checkAllProducts(random, tensor(random, 70_000, 3, 0.2, 9), false, 2);
  }

  /** Big enough to be split between two threads: the split must not change a single bit. */
  @Test
  void resultsDoNotDependOnTheThreadCount() {
    SplittableRandom random = new SplittableRandom(3);
    SparseQuantizedTensor tensor = tensor(random, 600, 900, 0.15, 32);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, 600, 900);
    assertEquals(3, m.rowBlocks(2, 16).length, "two row blocks");
    float[] x = gaussian(random, 900, 0.5);
    float[] bias = gaussian(random, 600, 0);
    int n = 37;
    float[] b = gaussian(random, 900 * n, 0);
    for (SparseKernel kernel : KERNELS) {
      String what = kernel.getClass().getSimpleName();
      float[][] vectors = new float[2][600];
      float[][] products = new float[2][600 * n];
      for (int threads = 1; threads <= 2; threads++) {
        m.multiplyVector(kernel, threads, x, bias, vectors[threads - 1]);
        m.multiplyDense(kernel, threads, b, n, products[threads - 1]);
      }
      assertVector(tensor, x, bias, vectors[0], what);
      assertArrayEquals(vectors[0], vectors[1], what + ": vector, 1 vs 2 threads");
      assertProduct(tensor.toDense(), 600, 900, b, n, null, products[0], what);
      assertArrayEquals(products[0], products[1], what + ": dense, 1 vs 2 threads");
    }
    float[] one = new float[600];
    float[] two = new float[600];
    m.multiplyVectorSkippingZeros(1, x, bias, one);
    m.multiplyVectorSkippingZeros(2, x, bias, two);
    assertVector(tensor, x, bias, one, "skipping zeros");
    assertArrayEquals(one, two, "skipping zeros, 1 vs 2 threads");
  }

  @Test
  void rowBlocksBalanceNonZerosOnAlignedBoundaries() {
    // Rows 0-99 hold one non-zero each, rows 100-199 nine each: 1000 in all.
    int[] positions = new int[1000];
    int count = 0;
    for (int r = 0; r < 200; r++) {
      for (int c = 0; c < (r < 100 ? 1 : 9); c++) {
        positions[count++] = r * 10 + c;
      }
    }
    QuantizedSparseMatrix m =
        QuantizedSparseMatrix.of(
            new SparseQuantizedTensor(
                Shape.of(200, 10), new float[] {1}, positions, new byte[1000], 1, 5),
            200,
            10);
    // Half the non-zeros (500) end at row 144; the nearest multiple of 16 is 144.
    assertArrayEquals(new int[] {0, 144, 200}, m.rowBlocks(2, 16));
    assertArrayEquals(new int[] {0, 200}, m.rowBlocks(1, 16));
    // More tasks than aligned rows: empty blocks are dropped.
    assertArrayEquals(new int[] {0, 200}, m.rowBlocks(8, 256));
  }

  @Test
  void columnSlicesStayWithinThePackedRowRangeWhateverTheNonZeros() {
    // 10,000 rows with every non-zero in the first: balancing by non-zeros alone would leave one
    // block of nearly all the rows.
    int rows = 10_000;
    SparseQuantizedTensor tensor =
        new SparseQuantizedTensor(
            Shape.of(rows, 3), new float[] {1, 2}, new int[] {0, 1, 2}, new byte[] {0, 1, 1}, 1, 5);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, 3);
    for (int tasks = 1; tasks <= 8; tasks++) {
      int[] slices = m.columnSlices(tasks);
      assertEquals(0, slices[0]);
      assertEquals(rows, slices[slices.length - 1]);
      for (int s = 0; s + 1 < slices.length; s++) {
        int length = slices[s + 1] - slices[s];
        assertTrue(
            length > 0 && length <= ColumnMajor.NARROW_SLICE_ROWS,
            tasks + " tasks: slice " + Arrays.toString(slices));
        assertTrue(s == 0 || slices[s] % 16 == 0, "aligned: " + Arrays.toString(slices));
      }
    }
    float[] y = new float[rows];
    Arrays.fill(y, Float.NaN);
    m.multiplyVectorSkippingZeros(1, new float[] {1, 0, 3}, new float[rows], y);
    assertEquals(1 + 2 * 3, y[0]);
    assertEquals(0, y[rows - 1]);
  }

  /**
   * Several slices of packed {@code char} elements (more than 2,048 rows) and of {@code int} ones
   * (codebooks over 32 entries), with ragged slice ends, empty columns and mostly zero inputs: the
   * column-wise product agrees with the reference and does not depend on the thread count.
   */
  @Test
  void theColumnWiseProductAgreesAcrossSlicesAndThreadCounts() {
    SplittableRandom random = new SplittableRandom(11);
    // The last is one slice on one thread and two on two (enough non-zeros to split).
    int[][] shapes = {{2049, 7}, {4100, 33}, {6001, 1}, {2000, 700}};
    for (int[] shape : shapes) {
      for (int codebookSize : new int[] {1, 32, 33, 256}) {
        int rows = shape[0];
        int columns = shape[1];
        SparseQuantizedTensor tensor = tensor(random, rows, columns, 0.05, codebookSize);
        QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, columns);
        String what = tensor.toString();
        if (rows == 2000) {
          assertEquals(2, m.columnSlices(1).length, what);
          assertEquals(3, m.columnSlices(2).length, what);
        }
        float[] bias = gaussian(random, rows, 0);
        for (double zeros : new double[] {0, 0.5, 0.95}) {
          float[] x = gaussian(random, columns, zeros);
          float[] one = new float[rows];
          float[] two = new float[rows];
          m.multiplyVectorSkippingZeros(1, x, bias, one);
          m.multiplyVectorSkippingZeros(2, x, bias, two);
          assertVector(tensor, x, bias, one, what);
          assertArrayEquals(one, two, what + ": 1 vs 2 threads");
        }
      }
    }
  }

  @Test
  void skippingZerosPaysFromAQuarterOfZerosOnLongColumns() {
    // 64 elements per column, in one slice: long enough.
    QuantizedSparseMatrix m =
        QuantizedSparseMatrix.of(tensor(new SplittableRandom(3), 64, 8, 1.0, 4), 64, 8);
    assertTrue(m.skippingZerosCanPay());
    float[] x = new float[8];
    Arrays.fill(x, 1f);
    assertFalse(m.skippingZerosPays(x));
    x[3] = 0f;
    assertFalse(m.skippingZerosPays(x));
    x[6] = -0f;
    assertTrue(m.skippingZerosPays(x));
  }

  @Test
  void shortColumnsNeverSkipZeros() {
    // 49 elements per column: one short of the threshold.
    QuantizedSparseMatrix m =
        QuantizedSparseMatrix.of(
            tensor(
                new SplittableRandom(3),
                QuantizedSparseMatrix.MIN_COLUMN_LENGTH_TO_SKIP - 1,
                8,
                1.0,
                4),
            QuantizedSparseMatrix.MIN_COLUMN_LENGTH_TO_SKIP - 1,
            8);
    assertFalse(m.skippingZerosCanPay());
    assertFalse(m.skippingZerosPays(new float[8]));
  }

  @Test
  void aHandComputedProductIsExact() {
    // W = [[0, 0.5, 0], [-2, 0, 0.5]] with codebook {-2, 0.5}; b = [1, -1].
    SparseQuantizedTensor tensor =
        new SparseQuantizedTensor(
            Shape.of(2, 3),
            new float[] {-2, 0.5f},
            new int[] {1, 3, 5},
            new byte[] {1, 0, 1},
            1,
            2);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, 2, 3);
    float[] bias = {1, -1};
    float[] x = {4, 2, 8};
    for (SparseKernel kernel : KERNELS) {
      float[] y = new float[2];
      m.multiplyVector(kernel, 1, x, bias, y);
      assertArrayEquals(new float[] {2, -5}, y);
      float[] ys = new float[4];
      m.multiplyBatch(kernel, 1, new float[] {4, 2, 8, 1, -1, 0}, 2, bias, ys);
      assertArrayEquals(new float[] {2, -5, 0.5f, -3}, ys);
      // B = xᵀ with a second column [1, -1, 0]: C = W·B, no bias.
      float[] c = new float[4];
      m.multiplyDense(kernel, 1, new float[] {4, 1, 2, -1, 8, 0}, 2, c);
      assertArrayEquals(new float[] {1, -0.5f, -4, -2}, c);
    }
    float[] y = new float[2];
    m.multiplyVectorSkippingZeros(x, bias, y);
    assertArrayEquals(new float[] {2, -5}, y);
    m.multiplyVectorSkippingZeros(new float[] {0, 2, 0}, bias, y);
    assertArrayEquals(new float[] {2, -1}, y);
  }

  @Test
  void anEmptyMatrixGivesTheBiasAndASingleNonZeroItsTerm() {
    SparseQuantizedTensor empty =
        new SparseQuantizedTensor(Shape.of(5, 4), new float[0], new int[0], new byte[0], 1, 5);
    SparseQuantizedTensor single =
        new SparseQuantizedTensor(
            Shape.of(5, 4), new float[] {3, -1.5f}, new int[] {13}, new byte[] {1}, 1, 5);
    float[] bias = {1, 2, 3, 4, 5};
    float[] x = {1, 2, 3, 4};
    for (SparseKernel kernel : KERNELS) {
      float[] y = new float[5];
      QuantizedSparseMatrix.of(empty, 5, 4).multiplyVector(kernel, 1, x, bias, y);
      assertArrayEquals(bias, y);
      float[] c = new float[15];
      Arrays.fill(c, Float.NaN);
      QuantizedSparseMatrix.of(empty, 5, 4).multiplyDense(kernel, 1, new float[12], 3, c);
      assertArrayEquals(new float[15], c);
      // Element 13 is row 3, column 1, codebook entry 1.
      QuantizedSparseMatrix.of(single, 5, 4).multiplyVector(kernel, 1, x, bias, y);
      assertArrayEquals(new float[] {1, 2, 3, 4 - 1.5f * 2, 5}, y);
    }
    float[] y = new float[5];
    QuantizedSparseMatrix.of(empty, 5, 4).multiplyVectorSkippingZeros(x, bias, y);
    assertArrayEquals(bias, y);
    QuantizedSparseMatrix.of(single, 5, 4).multiplyVectorSkippingZeros(x, bias, y);
    assertArrayEquals(new float[] {1, 2, 3, 4 - 1.5f * 2, 5}, y);
  }

  @Test
  void bytesInMemoryCountsTwoByteColumnsUpTo65536Columns() {
    SplittableRandom random = new SplittableRandom(5);
    SparseQuantizedTensor narrowTensor = tensor(random, 10, 65_536, 0.001, 32);
    QuantizedSparseMatrix narrow = QuantizedSparseMatrix.of(narrowTensor, 10, 65_536);
    int nnz = narrowTensor.nonZeroCount();
    assertEquals(nnz, narrow.nonZeros());
    assertEquals(32, narrow.codebookSize());
    assertEquals(4L * 11 + 2L * nnz + nnz + 4L * 32, narrow.bytesInMemory());
    SparseQuantizedTensor wideTensor = tensor(random, 1, 65_537, 0.001, 3);
    QuantizedSparseMatrix wide = QuantizedSparseMatrix.of(wideTensor, 1, 65_537);
    int wideNnz = wideTensor.nonZeroCount();
    assertEquals(4L * 2 + 4L * wideNnz + wideNnz + 4L * 3, wide.bytesInMemory());
  }

  @Test
  void bytesInMemoryCountsTheColumnCopyOnceBuilt() {
    // 3 rows × 4 columns: column 0 holds 3 elements, column 2 holds 1, columns 1 and 3 none.
    SparseQuantizedTensor tensor =
        new SparseQuantizedTensor(
            Shape.of(3, 4),
            new float[] {1, 2},
            new int[] {0, 2, 4, 8},
            new byte[] {0, 1, 1, 0},
            1,
            5);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, 3, 4);
    long rowMajor = 4L * 4 + 2L * 4 + 4 + 4L * 2;
    assertEquals(rowMajor, m.bytesInMemory());
    m.prepareSkippingZeros();
    // One slice: a char per element and three for the tail's reads, five column starts, two slice
    // bounds.
    assertEquals(rowMajor + 2L * (4 + 3) + 4L * 5 + 4L * 2, m.bytesInMemory());
    float[] y = new float[3];
    m.multiplyVectorSkippingZeros(new float[] {1, 5, 10, 7}, new float[3], y);
    assertArrayEquals(new float[] {1 + 2 * 10, 2, 1}, y);
  }

  /**
   * Products wide enough for eight-vector strips, over enough columns that their rows of b outgrow
   * L2 and are taken in column blocks, with each kind of column index: every strip width and block
   * boundary against the reference.
   */
  @Test
  void wideProductsOverManyColumnBlocksAgreeWithTheReference() {
    SplittableRandom random = new SplittableRandom(29);
    int rows = 19;
    int columns = 2_600;
    SparseQuantizedTensor tensor = tensor(random, rows, columns, 0.2, 32);
    for (boolean wide : new boolean[] {false, true}) {
      QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, columns, wide);
      for (int n : new int[] {64, 64 + 8 + 3, 136}) {
        float[] b = gaussian(random, columns * n, 0.1);
        for (SparseKernel kernel : KERNELS) {
          for (int threads = 1; threads <= 2; threads++) {
            float[] c = new float[rows * n];
            Arrays.fill(c, Float.NaN);
            m.multiplyDense(kernel, threads, b, n, c);
            String what = kernel.getClass().getSimpleName() + ", n=" + n + ", wide " + wide;
            assertProduct(tensor.toDense(), rows, columns, b, n, null, c, what);
          }
        }
      }
      int batch = 64 + 5;
      float[] xs = gaussian(random, batch * columns, 0.5);
      float[] bias = gaussian(random, rows, 0);
      float[] ys = new float[batch * rows];
      m.multiplyBatch(Simd.SPARSE, 2, xs, batch, bias, ys);
      assertBatch(tensor, xs, batch, bias, ys, "batch " + batch + ", wide " + wide);
    }
  }

  /** Full columns of every length from the codebook's size to four more: each tail of the loop. */
  @Test
  void scaledColumnsOfEveryTailLengthAgreeWithTheDenseProduct() {
    SplittableRandom random = new SplittableRandom(23);
    for (int codebookSize : new int[] {1, 32, 33, 256}) {
      for (int rows = codebookSize; rows <= codebookSize + 4; rows++) {
        SparseQuantizedTensor tensor = tensor(random, rows, 3, 1.0, codebookSize);
        QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, 3);
        float[] x = {(float) random.nextGaussian(), 0, (float) random.nextGaussian()};
        float[] bias = gaussian(random, rows, 0);
        float[] y = new float[rows];
        m.multiplyVectorSkippingZeros(x, bias, y);
        assertVector(tensor, x, bias, y, tensor.toString());
      }
    }
  }

  /** A slice of the most rows a packed element can name, its last row and code in use. */
  @Test
  void aFullSliceReachesItsLastRowAndCode() {
    int rows = ColumnMajor.NARROW_SLICE_ROWS;
    float[] codebook = new float[32];
    codebook[31] = 3;
    codebook[0] = -1;
    SparseQuantizedTensor tensor =
        new SparseQuantizedTensor(
            Shape.of(rows, 2),
            codebook,
            new int[] {0, 1, 2 * (rows - 1)},
            new byte[] {31, 0, 31},
            5,
            5);
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, rows, 2);
    assertEquals(2, m.columnSlices(1).length);
    float[] y = new float[rows];
    m.multiplyVectorSkippingZeros(new float[] {2, 5}, new float[rows], y);
    float[] expected = new float[rows];
    expected[0] = 2 * 3 - 5;
    expected[rows - 1] = 2 * 3;
    assertArrayEquals(expected, y);
  }

  @Test
  void rejectsArgumentsOfTheWrongShape() {
    SparseQuantizedTensor tensor = tensor(new SplittableRandom(1), 4, 6, 0.5, 4);
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> QuantizedSparseMatrix.of(tensor, 3, 8));
    assertTrue(shape.getMessage().contains("3 rows × 8 columns"), shape.getMessage());
    QuantizedSparseMatrix m = QuantizedSparseMatrix.of(tensor, 4, 6);
    float[] x = new float[6];
    float[] bias = new float[4];
    IllegalArgumentException length =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.multiplyVector(new float[5], bias, new float[4]));
    assertTrue(length.getMessage().contains("x has 5 values, expected 6"), length.getMessage());
    assertThrows(IllegalArgumentException.class, () -> m.multiplyVector(x, new float[3], bias));
    assertThrows(
        IllegalArgumentException.class, () -> m.multiplyVectorSkippingZeros(x, bias, new float[5]));
    assertThrows(IllegalArgumentException.class, () -> m.multiplyDense(x, -1, new float[0]));
    assertThrows(IllegalArgumentException.class, () -> m.multiplyDense(new float[11], 2, bias));
    assertThrows(IllegalArgumentException.class, () -> m.multiplyDense(new float[12], 2, bias));
    assertThrows(IllegalArgumentException.class, () -> m.multiplyBatch(x, 2, bias, new float[8]));
    assertThrows(IllegalArgumentException.class, () -> m.multiplyBatch(new float[12], -2, bias, x));
  }
}
