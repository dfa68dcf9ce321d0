package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GemmTest {
  private static final BlockedGemm VECTOR = new VectorGemm();
  private static final BlockedGemm SCALAR = new ScalarGemm();

  private int savedThreads;

  @BeforeEach
  void widenPool() {
    savedThreads = KernelThreads.threads();
    KernelThreads.setThreads(3);
  }

  @AfterEach
  void restorePool() {
    KernelThreads.setThreads(savedThreads);
  }

  /** Random shapes, mostly small and ragged, some past the block sizes. */
  private static List<GemmCase> randomCases(long seed, int count) {
    Random random = new Random(seed);
    List<GemmCase> cases = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      int m = size(random);
      int n = size(random);
      int k = size(random);
      cases.add(
          new GemmCase(
              random,
              random.nextBoolean(),
              random.nextBoolean(),
              m,
              n,
              k,
              random.nextInt(3) > 0,
              random.nextBoolean() ? 1f : 0f));
    }
    // Several row blocks, several column blocks, several (uneven) k blocks, single rows/columns.
    boolean[] flags = {false, true};
    for (boolean ta : flags) {
      for (boolean tb : flags) {
        cases.add(new GemmCase(random, ta, tb, 150, 270, 37, true, 1f));
        cases.add(new GemmCase(random, ta, tb, 7, 35, 600, true, 0f));
        cases.add(new GemmCase(random, ta, tb, 1, 300, 257, true, 1f));
        cases.add(new GemmCase(random, ta, tb, 300, 1, 300, false, 0f));
        cases.add(new GemmCase(random, ta, tb, 1, 1, 1, true, 1f));
      }
    }
    return cases;
  }

  private static int size(Random random) {
    return random.nextInt(4) == 0 ? 1 + random.nextInt(300) : 1 + random.nextInt(40);
  }

  @Test
  void vectorKernelAgreesWithReference() {
    Random threads = new Random(11);
    for (GemmCase g : randomCases(1, 120)) {
      g.check(g.run(VECTOR, 1 + threads.nextInt(3)), "vector");
    }
  }

  @Test
  void scalarFallbackAgreesWithReference() {
    Random threads = new Random(12);
    for (GemmCase g : randomCases(2, 80)) {
      g.check(g.run(SCALAR, 1 + threads.nextInt(3)), "scalar");
    }
  }

  @Test
  void publicEntryPointAgreesWithReference() {
    for (GemmCase g : randomCases(3, 40)) {
      g.check(g.runPublic(), "Gemm.sgemm");
    }
  }

  @Test
  void smallProductIsExact() {
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = {7, 8, 9, 10, 11, 12};
    float[] c = new float[4];
    Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
    assertArrayEquals(new float[] {58, 64, 139, 154}, c);
    // Same product from transposed storage: Aᵀ stored 3×2, Bᵀ stored 2×3, accumulated onto C.
    float[] at = {1, 4, 2, 5, 3, 6};
    float[] bt = {7, 9, 11, 8, 10, 12};
    Gemm.sgemm(true, true, 2, 2, 3, at, 0, 2, bt, 0, 3, 1f, c, 0, 2);
    assertArrayEquals(new float[] {116, 128, 278, 308}, c);
  }

  /** Shapes big enough to be split, with ragged edges, in every transpose combination. */
  private static List<GemmCase> splitCases() {
    Random random = new Random(4);
    int[][] shapes = {
      {64, 300, 784}, {300, 97, 64}, {64, 784, 300}, {131, 45, 277}, {9, 1000, 150}
    };
    List<GemmCase> cases = new ArrayList<>();
    for (int[] s : shapes) {
      for (int combo = 0; combo < 4; combo++) {
        cases.add(
            new GemmCase(
                random, (combo & 1) != 0, (combo & 2) != 0, s[0], s[1], s[2], true, combo % 2));
      }
    }
    return cases;
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    for (BlockedGemm gemm : List.of(VECTOR, SCALAR)) {
      String name = gemm.getClass().getSimpleName();
      for (GemmCase g : splitCases()) {
        assertTrue(gemm.plan(g.m, g.n, g.k, 2).tasks() == 2, () -> name + ": " + g + " not split");
        assertTrue(gemm.plan(g.m, g.n, g.k, 3).tasks() == 3, () -> name + ": " + g + " not split");
        float[] one = g.run(gemm, 1);
        g.check(one, name);
        for (int threads = 2; threads <= 3; threads++) {
          for (int repeat = 0; repeat < 3; repeat++) {
            assertBitIdentical(
                one, g.run(gemm, threads), name + ": " + g + ", " + threads + " threads");
          }
        }
      }
    }
  }

  @Test
  void singleRowProductsStreamBAndDoNotDependOnThreadCount() {
    // Batch-1 inference: one row of A, long enough rows of B to be split, ragged vector tails.
    Random random = new Random(6);
    for (BlockedGemm gemm : List.of(VECTOR, SCALAR)) {
      String name = gemm.getClass().getSimpleName();
      for (int combo = 0; combo < 4; combo++) {
        for (int[] nk : new int[][] {{1000, 301}, {37, 5000}, {2049, 67}}) {
          GemmCase g =
              new GemmCase(
                  random, (combo & 1) != 0, (combo & 2) != 0, 1, nk[0], nk[1], true, combo % 2);
          float[] one = g.run(gemm, 1);
          g.check(one, name);
          assertBitIdentical(one, g.run(gemm, 2), name + ": " + g + ", 2 threads");
          assertBitIdentical(one, g.run(gemm, 3), name + ": " + g + ", 3 threads");
        }
      }
    }
  }

  @Test
  void publicResultsDoNotDependOnThreadSetting() {
    GemmCase g = new GemmCase(new Random(5), false, true, 64, 300, 784, true, 1f);
    KernelThreads.setThreads(1);
    float[] one = g.runPublic();
    KernelThreads.setThreads(2);
    assertBitIdentical(one, g.runPublic(), "1 vs 2 threads");
  }

  private static void assertBitIdentical(float[] expected, float[] actual, String label) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(
            label + ": index " + i + " is " + actual[i] + ", single-threaded gave " + expected[i]);
      }
    }
  }

  @Test
  void betaZeroOverwritesNonFiniteC() {
    for (BlockedGemm gemm : List.of(VECTOR, SCALAR)) {
      GemmCase g = new GemmCase(new Random(6), true, false, 19, 37, 23, true, 0f);
      Arrays.fill(g.c0, Float.NaN);
      float[] c = g.run(gemm, 2);
      for (int i = 0; i < g.m; i++) {
        for (int j = 0; j < g.n; j++) {
          assertTrue(Float.isFinite(c[g.cOffset + i * g.ldc + j]), "C[" + i + "][" + j + "]");
        }
      }
    }
  }

  @Test
  void emptyInnerDimensionScalesC() {
    float[] c = {5, 1, 2, 3, 4, 9};
    Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, 1f, c, 1, 2);
    assertArrayEquals(new float[] {5, 1, 2, 3, 4, 9}, c);
    Gemm.sgemm(true, true, 2, 2, 0, new float[0], 0, 2, new float[0], 0, 0, 0f, c, 1, 2);
    assertArrayEquals(new float[] {5, 0, 0, 0, 0, 9}, c);
  }

  @Test
  void emptyOutputIsANoOp() {
    float[] c = {3};
    Gemm.sgemm(false, false, 0, 5, 4, new float[0], 0, 4, new float[20], 0, 5, 0f, c, 0, 5);
    Gemm.sgemm(false, false, 5, 0, 4, new float[20], 0, 4, new float[0], 0, 0, 0f, c, 0, 0);
    assertArrayEquals(new float[] {3}, c);
  }

  private static IllegalArgumentException rejects(Runnable call) {
    return assertThrows(IllegalArgumentException.class, call::run);
  }

  @Test
  void rejectsBadArguments() {
    float[] a = new float[6];
    float[] b = new float[6];
    float[] c = new float[4];
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, -1, 2, 3, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("m=-1"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, -3, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("k=-3"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, 0.5f, c, 0, 2))
            .getMessage()
            .contains("beta"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("lda=2"));
    assertTrue(
        rejects(() -> Gemm.sgemm(true, false, 2, 2, 3, a, 0, 1, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("lda=1"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, true, 2, 2, 3, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("ldb=2"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, 0f, c, 0, 1))
            .getMessage()
            .contains("ldc=1"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 1, 3, b, 0, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("needs 7 elements"));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, new float[5], 0, 2, 0f, c, 0, 2))
            .getMessage()
            .startsWith("sgemm: b "));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, 0f, c, 0, 3))
            .getMessage()
            .startsWith("sgemm: c "));
    assertTrue(
        rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, 0, 3, b, -1, 2, 0f, c, 0, 2))
            .getMessage()
            .contains("bOffset"));
    // Offsets and leading dimensions large enough to overflow int arithmetic.
    rejects(() -> Gemm.sgemm(false, false, 2, 2, 3, a, Integer.MAX_VALUE, 3, b, 0, 2, 0f, c, 0, 2));
    rejects(() -> Gemm.sgemm(false, false, 3, 2, 3, a, 0, Integer.MAX_VALUE, b, 0, 2, 0f, c, 0, 2));
    assertThrows(
        NullPointerException.class,
        () -> Gemm.sgemm(false, false, 2, 2, 3, null, 0, 3, b, 0, 2, 0f, c, 0, 2));
  }
}
