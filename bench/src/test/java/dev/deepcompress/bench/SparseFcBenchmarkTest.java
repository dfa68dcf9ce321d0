package dev.deepcompress.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SparseFcBenchmarkTest {
  @Test
  void reluInputsAreNonNegativeAndAboutHalfZero() {
    float[] x = SparseFcBenchmark.Input.RELU.sample(10_000, 1);
    int zeros = 0;
    for (float v : x) {
      assertTrue(v >= 0, "negative input " + v);
      zeros += v == 0 ? 1 : 0;
    }
    assertTrue(zeros > 4_700 && zeros < 5_300, zeros + " zeros of 10000");
  }

  @Test
  void denseInputsHaveNoZeros() {
    for (float v : SparseFcBenchmark.Input.DENSE.sample(10_000, 1)) {
      assertTrue(v != 0, "zero in a dense input");
    }
  }
}
