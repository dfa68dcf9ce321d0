package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.deepcompress.runtime.model.Levels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the scalar fallback, bit for bit: random weights mixed with ±0,
 * ties at .5 of a step, values beyond the clipping range, infinities and subnormals, at lengths and
 * offsets that leave tails shorter than a vector.
 */
class TrainingKernelsTest {
  private static final TrainingKernels VECTOR = new VectorTrainingKernels();
  private static final TrainingKernels SCALAR = TrainingKernels.SCALAR;
  private static final int[] LENGTHS = {
    0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 256, 257, 1_001
  };

  @Test
  void theVectorKernelsAreTheOnesInUseWithTheVectorModule() {
    // The tests run with --add-modules jdk.incubator.vector.
    assertInstanceOf(VectorTrainingKernels.class, TrainingKernels.PREFERRED);
  }

  /** Weights around a grid of step {@code step}: exact multiples, ties, edge cases, random. */
  private static float[] weights(int n, float step, float range, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] special = {
      0f,
      -0f,
      0.5f * step,
      -0.5f * step,
      1.5f * step,
      -2.5f * step,
      3.5f * step,
      range * 1.5f,
      -range * 3f,
      Float.MIN_VALUE,
      -Float.MIN_VALUE,
      Float.MAX_VALUE,
      Float.NEGATIVE_INFINITY,
      Float.POSITIVE_INFINITY,
      1e-30f,
      step,
      -step
    };
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] =
          random.nextInt(4) == 0
              ? special[random.nextInt(special.length)]
              : (float) (range * 1.2 * (2 * random.nextDouble() - 1));
    }
    return w;
  }

  /** The arrays of one kernel call: shadow, updated and quantized weights, and indices. */
  private record State(float[] shadow, float[] updated, float[] quantized, int[] indices) {
    static State random(int n, float step, float range, long seed, boolean withUpdate) {
      float[] quantized = weights(n, step, range, seed + 1);
      return new State(
          weights(n, step, range, seed),
          withUpdate ? weights(n, step, range, seed + 2) : null,
          quantized,
          new int[n]);
    }

    State copy() {
      return new State(
          shadow.clone(),
          updated == null ? null : updated.clone(),
          quantized.clone(),
          indices.clone());
    }

    /** Outside {@code [from, to)} every array is as it is in {@code before}. */
    void assertSameOutside(State before, int from, int to, String what) {
      State now = copy();
      for (int j = from; j < to; j++) {
        now.shadow[j] = before.shadow[j];
        now.quantized[j] = before.quantized[j];
        now.indices[j] = before.indices[j];
        if (updated != null) {
          now.updated[j] = before.updated[j];
        }
      }
      before.assertSame(now, what + ", outside " + from + "-" + to);
    }

    void assertSame(State other, String what) {
      assertArrayEquals(bits(shadow), bits(other.shadow), what + ": shadow");
      assertArrayEquals(bits(quantized), bits(other.quantized), what + ": quantized");
      assertArrayEquals(indices, other.indices, what + ": indices");
      if (updated != null) {
        assertArrayEquals(bits(updated), bits(other.updated), what + ": updated");
      }
    }
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  @Test
  void uniformAgrees() {
    float[] scales = {0.25f, 0.0123f, 1e-3f, 3f};
    int[][] grids = {{0, 255}, {8, 15}, {3, 3}, {1, 1}};
    long seed = 1;
    for (int n : LENGTHS) {
      for (float scale : scales) {
        for (int[] grid : grids) {
          for (boolean withUpdate : new boolean[] {false, true}) {
            int zero = grid[0];
            int top = grid[1];
            float low = scale * (float) (0 - zero);
            float high = scale * (float) (top - zero);
            State scalar = State.random(n, scale, scale * top, seed++, withUpdate);
            State vector = scalar.copy();
            int from = n / 5;
            int to = n - n / 7;
            int[] outsideScalar = new int[n + 1];
            int[] outsideVector = new int[n + 1];
            outsideScalar[0] = outsideVector[0] = -1;
            int scalarCount =
                SCALAR.uniform(
                    scalar.shadow,
                    scalar.updated,
                    scalar.quantized,
                    scalar.indices,
                    from,
                    to,
                    scale,
                    zero,
                    top,
                    low,
                    high,
                    outsideScalar,
                    Math.min(1, n));
            int vectorCount =
                VECTOR.uniform(
                    vector.shadow,
                    vector.updated,
                    vector.quantized,
                    vector.indices,
                    from,
                    to,
                    scale,
                    zero,
                    top,
                    low,
                    high,
                    outsideVector,
                    Math.min(1, n));
            String what = "n " + n + " scale " + scale + " grid " + Arrays.toString(grid);
            scalar.assertSame(vector, what);
            assertEquals(scalarCount, vectorCount, what);
            assertArrayEquals(
                Arrays.copyOf(outsideScalar, scalarCount),
                Arrays.copyOf(outsideVector, vectorCount),
                what);
          }
        }
      }
    }
  }

  @Test
  void uniformRoundsTiesToEvenAndClamps() {
    // Steps of 0.5: 0.25 → rint(0.5) = 0, 0.75 → 2, -0.25 → -0 → zero point; 100 → top, -9 → 0.
    float[] w = {0.25f, 0.75f, -0.25f, 100f, -9f, 1.25f, 0f, -0f, 0.5f};
    for (TrainingKernels kernels : new TrainingKernels[] {SCALAR, VECTOR}) {
      int[] indices = new int[w.length];
      float[] quantized = new float[w.length];
      int[] outside = new int[w.length];
      int count =
          kernels.uniform(
              w.clone(), null, quantized, indices, 0, w.length, 0.5f, 4, 7, -2f, 1.5f, outside, 0);
      assertArrayEquals(new int[] {4, 6, 4, 7, 0, 6, 4, 4, 5}, indices);
      assertArrayEquals(new int[] {3, 4}, Arrays.copyOf(outside, count));
    }
  }

  @Test
  void logAgrees() {
    long seed = 100;
    for (int bits = 2; bits <= 8; bits++) {
      for (int top : new int[] {0, -3, -7, 5, -128, -120, 120}) {
        for (boolean sqrt2 : new boolean[] {false, true}) {
          Levels.PowersOfTwo levels = new Levels.PowersOfTwo(bits, top, sqrt2);
          LogQuantizer.Nearest nearest = new LogQuantizer.Nearest(levels);
          float[] table = new float[2 * levels.magnitudes() + 1];
          for (int i = 0; i < table.length; i++) {
            table[i] = levels.value(i, 0);
          }
          float magnitude = levels.magnitude(0);
          for (int n : LENGTHS) {
            for (boolean withUpdate : new boolean[] {false, true}) {
              State scalar = State.random(n, levels.magnitude(1), magnitude, seed++, withUpdate);
              // Also the midpoints between neighbouring magnitudes and the levels themselves.
              for (int i = 0; i + 1 < levels.magnitudes() && i < n; i += 2) {
                scalar.shadow[i] = (levels.magnitude(i) + levels.magnitude(i + 1)) / 2;
                scalar.shadow[n - 1 - i] = -levels.magnitude(i);
              }
              State vector = scalar.copy();
              State before = scalar.copy();
              int from = n / 3;
              int to = n - n / 9;
              SCALAR.log(
                  nearest,
                  table,
                  scalar.shadow,
                  scalar.updated,
                  scalar.quantized,
                  scalar.indices,
                  from,
                  to);
              VECTOR.log(
                  nearest,
                  table,
                  vector.shadow,
                  vector.updated,
                  vector.quantized,
                  vector.indices,
                  from,
                  to);
              scalar.assertSame(vector, levels + " n " + n);
              scalar.assertSameOutside(before, from, to, levels + " n " + n);
            }
          }
        }
      }
    }
  }

  /** Raw bits of the ternary level of {@code w} by Δ of bits {@code deltaBits}, and its index. */
  private static int[] ternaryLevel(float w, int deltaBits, int up, int down) {
    float delta = Float.intBitsToFloat(deltaBits);
    return w > delta ? new int[] {2, up} : w < -delta ? new int[] {0, down} : new int[] {1, 0};
  }

  @Test
  void ternaryAgreesAndFollowsTheComparisonsWithDelta() {
    long seed = 200;
    int up = Float.floatToRawIntBits(0.07f);
    int down = Float.floatToRawIntBits(-0.09f);
    for (int n : LENGTHS) {
      for (boolean withUpdate : new boolean[] {false, true}) {
        for (float delta : new float[] {0f, 0.05f, 0.1f, Float.MIN_VALUE, Float.MAX_VALUE}) {
          State scalar = State.random(n, 0.05f, 0.2f, seed++, withUpdate);
          State vector = scalar.copy();
          State before = scalar.copy();
          int from = n / 3;
          int to = n - n / 9;
          int deltaBits = Float.floatToRawIntBits(delta);
          int scalarBits =
              SCALAR.ternary(
                  scalar.shadow,
                  scalar.updated,
                  scalar.quantized,
                  scalar.indices,
                  deltaBits,
                  up,
                  down,
                  from,
                  to);
          int vectorBits =
              VECTOR.ternary(
                  vector.shadow,
                  vector.updated,
                  vector.quantized,
                  vector.indices,
                  deltaBits,
                  up,
                  down,
                  from,
                  to);
          String what = "n " + n + " delta " + delta;
          scalar.assertSame(vector, what);
          scalar.assertSameOutside(before, from, to, what);
          assertEquals(scalarBits, vectorBits, what);
          int largest = 0;
          for (int j = from; j < to; j++) {
            largest = Math.max(largest, Float.floatToRawIntBits(scalar.shadow[j]) & 0x7FFFFFFF);
          }
          assertEquals(largest, scalarBits, what);
          for (int j = from; j < to; j++) {
            float moved =
                withUpdate
                    ? before.shadow[j] + (before.updated[j] - before.quantized[j])
                    : before.shadow[j];
            assertEquals(Float.floatToRawIntBits(moved), Float.floatToRawIntBits(scalar.shadow[j]));
            if (Float.isNaN(moved)) {
              continue; // A NaN weight makes Δ NaN: the quantizer then sets every level itself.
            }
            int[] level = ternaryLevel(moved, deltaBits, up, down);
            assertEquals(level[0], scalar.indices[j], what + " at " + j);
            assertEquals(level[1], Float.floatToRawIntBits(scalar.quantized[j]), what);
          }
        }
      }
    }
  }

  /**
   * A step's assignment by the last Δ, then by the new Δ within the range between them, gives what
   * a whole assignment by the new Δ gives.
   */
  @Test
  void ternaryWithinMakesAnAssignmentByTheOtherDelta() {
    long seed = 250;
    int up = Float.floatToRawIntBits(0.07f);
    int down = Float.floatToRawIntBits(-0.09f);
    float[] deltas = {0f, 0.01f, 0.05f, 0.0501f, 0.2f, Float.MIN_VALUE};
    for (int n : LENGTHS) {
      for (float last : deltas) {
        for (float next : deltas) {
          State whole = State.random(n, 0.05f, 0.2f, seed++, true);
          State scalar = whole.copy();
          State vector = whole.copy();
          int lastBits = Float.floatToRawIntBits(last);
          int nextBits = Float.floatToRawIntBits(next);
          SCALAR.ternary(
              whole.shadow,
              whole.updated,
              whole.quantized,
              whole.indices,
              nextBits,
              up,
              down,
              0,
              n);
          for (State state : new State[] {scalar, vector}) {
            TrainingKernels kernels = state == scalar ? SCALAR : VECTOR;
            kernels.ternary(
                state.shadow,
                state.updated,
                state.quantized,
                state.indices,
                lastBits,
                up,
                down,
                0,
                n);
            kernels.ternaryWithin(
                state.shadow,
                state.updated,
                state.quantized,
                state.indices,
                Math.min(lastBits, nextBits),
                Math.max(lastBits, nextBits),
                nextBits,
                up,
                down,
                0,
                n);
            whole.assertSame(state, "n " + n + ", " + last + " then " + next);
          }
        }
      }
    }
  }

  @Test
  void binaryAgrees() {
    long seed = 300;
    for (int n : LENGTHS) {
      for (boolean withUpdate : new boolean[] {false, true}) {
        State scalar = State.random(n, 0.05f, 0.2f, seed++, withUpdate);
        State vector = scalar.copy();
        int from = n / 3;
        int to = n - n / 9;
        SCALAR.binarySigns(
            scalar.shadow, scalar.updated, scalar.quantized, scalar.indices, from, to);
        VECTOR.binarySigns(
            vector.shadow, vector.updated, vector.quantized, vector.indices, from, to);
        scalar.assertSame(vector, "signs, n " + n);
        for (int j = from; j < to; j++) {
          assertEquals(
              scalar.shadow[j] >= 0 ? 1 : 0, scalar.indices[j], "index of " + scalar.shadow[j]);
        }
        int negative = Float.floatToRawIntBits(-0.03f);
        int flip = negative ^ Float.floatToRawIntBits(0.03f);
        SCALAR.binaryLevels(
            scalar.indices, scalar.quantized, scalar.updated, from, to, negative, flip);
        VECTOR.binaryLevels(
            vector.indices, vector.quantized, vector.updated, from, to, negative, flip);
        scalar.assertSame(vector, "levels, n " + n);
      }
    }
  }

  @Test
  void sumOfMagnitudesAgreesAndKeepsItsFixedOrder() {
    long seed = 400;
    for (int n : LENGTHS) {
      float[] values = weights(n, 0.01f, 0.3f, seed++);
      for (int i = 0; i < n; i++) {
        // Finite: an infinity would hide the order.
        values[i] = Float.isInfinite(values[i]) ? 1e30f : values[i];
      }
      int from = n / 6;
      int to = n - n / 11;
      double[] lanes = new double[BlockedSums.LANES];
      for (int j = from; j < to; j++) {
        lanes[(j - from) % BlockedSums.LANES] += Math.abs(values[j]);
      }
      double expected = BlockedSums.total(lanes);
      assertEquals(expected, SCALAR.sumOfMagnitudes(values, from, to), "n " + n);
      assertEquals(expected, VECTOR.sumOfMagnitudes(values, from, to), "n " + n);
    }
  }

  @Test
  void ternaryGradientsAgree() {
    long seed = 500;
    SplittableRandom random = new SplittableRandom(seed);
    for (int n : LENGTHS) {
      float[] gradients = weights(n, 1e-3f, 1e-2f, seed++);
      for (int i = 0; i < n; i++) {
        gradients[i] = Float.isInfinite(gradients[i]) ? -7e3f : gradients[i];
      }
      int[] indices = new int[n];
      for (int i = 0; i < n; i++) {
        indices[i] = random.nextInt(3);
      }
      float[] scalar = gradients.clone();
      float[] vector = gradients.clone();
      BlockedSums scalarSums = new BlockedSums();
      BlockedSums vectorSums = new BlockedSums();
      // Leftovers of an earlier call must not count.
      vectorSums.positive[2] = 5;
      vectorSums.negatives = 3;
      SCALAR.ternaryGradients(scalar, indices, 0.3f, 0.7f, scalarSums);
      VECTOR.ternaryGradients(vector, indices, 0.3f, 0.7f, vectorSums);
      assertArrayEquals(bits(scalar), bits(vector), "n " + n);
      double[] positive = new double[BlockedSums.LANES];
      double[] negative = new double[BlockedSums.LANES];
      int positives = 0;
      int negatives = 0;
      for (int chunk = 0; chunk < n; chunk += BlockedSums.CHUNK) {
        float[] positivePartials = new float[16];
        float[] negativePartials = new float[16];
        for (int i = chunk; i < Math.min(n, chunk + BlockedSums.CHUNK); i++) {
          float factor = indices[i] == 0 ? 0.3f : indices[i] == 2 ? 0.7f : 1f;
          assertEquals(factor * gradients[i], scalar[i]);
          if (indices[i] == 2) {
            positivePartials[(i - chunk) % 16] += gradients[i];
            positives++;
          } else if (indices[i] == 0) {
            negativePartials[(i - chunk) % 16] += gradients[i];
            negatives++;
          }
        }
        for (int l = 0; l < 16; l++) {
          positive[l % BlockedSums.LANES] += positivePartials[l];
          negative[l % BlockedSums.LANES] += negativePartials[l];
        }
      }
      for (BlockedSums sums : new BlockedSums[] {scalarSums, vectorSums}) {
        assertArrayEquals(positive, sums.positive, "n " + n);
        assertArrayEquals(negative, sums.negative, "n " + n);
        assertEquals(positives, sums.positives);
        assertEquals(negatives, sums.negatives);
      }
    }
  }

  @Test
  void tableLookupsAgree() {
    long seed = 600;
    SplittableRandom random = new SplittableRandom(seed);
    for (int n : LENGTHS) {
      float[] table = weights(33, 0.01f, 0.1f, seed++);
      table[0] = 0f;
      int[] tableBits = bits(table);
      int[] slots = new int[n];
      for (int i = 0; i < n; i++) {
        slots[i] = random.nextInt(table.length);
      }
      // A range that starts off a vector boundary; what is outside it stays as it was.
      int from = n / 3;
      int to = Math.max(from, n - 1);
      float[] scalar = new float[n];
      float[] vector = new float[n];
      Arrays.fill(scalar, -1f);
      Arrays.fill(vector, -1f);
      SCALAR.fill(scalar, slots, table, from, to);
      VECTOR.fill(vector, slots, table, from, to);
      for (int i = 0; i < n; i++) {
        int expected = i >= from && i < to ? tableBits[slots[i]] : Float.floatToRawIntBits(-1f);
        assertEquals(expected, Float.floatToRawIntBits(scalar[i]), "n " + n + ", i " + i);
      }
      assertArrayEquals(bits(scalar), bits(vector));
    }
  }
}
