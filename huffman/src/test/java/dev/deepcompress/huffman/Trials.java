package dev.deepcompress.huffman;

import java.util.SplittableRandom;

/**
 * Seeded random trials for the property tests of this module. Trial 0 draws every value at its
 * lower bound and trial 1 at its upper bound (empty and single-element inputs, the largest sizes,
 * extreme values). Every later trial draws from a {@link SplittableRandom} seeded with the trial
 * number, landing on a range's edges or near its lower end more often than uniform draws would,
 * because that is where bugs hide. A failure names its trial, and reruns draw the same values.
 */
final class Trials {
  private static final int LOWER_BOUNDS = 0;
  private static final int UPPER_BOUNDS = 1;
  private static final long[] LONG_EDGES = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};

  private Trials() {}

  @FunctionalInterface
  interface Check {
    void run(Trial trial) throws Exception;
  }

  /** Runs {@code check} for trials 0 to {@code trials - 1}, stopping at the first failure. */
  static void run(int trials, Check check) {
    for (int number = 0; number < trials; number++) {
      Trial trial = new Trial(number);
      try {
        check.run(trial);
      } catch (Exception | AssertionError e) {
        throw new AssertionError(trial + " failed: " + e, e);
      }
    }
  }

  /** The values of one trial. */
  static final class Trial {
    private final int number;
    private final SplittableRandom random;

    private Trial(int number) {
      this.number = number;
      this.random = new SplittableRandom(number);
    }

    int between(int min, int max) {
      return (int) between((long) min, (long) max);
    }

    /** A value in [min, max]; the span max - min must not overflow. */
    long between(long min, long max) {
      if (number == LOWER_BOUNDS) {
        return min;
      }
      if (number == UPPER_BOUNDS) {
        return max;
      }
      long span = max - min;
      return switch (random.nextInt(8)) {
        case 0 -> {
          long[] edges = {min, Math.min(min + 1, max), Math.max(max - 1, min), max};
          yield edges[random.nextInt(edges.length)];
        }
        case 1, 2 -> {
          // A log-uniform offset: small values as often as large ones.
          int bits = random.nextInt(65 - Long.numberOfLeadingZeros(span));
          long mask = bits == 0 ? 0 : -1L >>> (64 - bits);
          yield min + random.nextLong(Math.min(mask, span) + 1);
        }
        default -> min + random.nextLong(span + 1);
      };
    }

    /**
     * A collection size in [min, max]. Nine draws in ten stay within 32 of min, where boundary
     * cases are dense; the tenth may reach max.
     */
    int size(int min, int max) {
      if (number == LOWER_BOUNDS || number == UPPER_BOUNDS || random.nextInt(10) == 0) {
        return between(min, max);
      }
      return between(min, Math.min(max, min + 32));
    }

    double between(double min, double max) {
      if (number == LOWER_BOUNDS) {
        return min;
      }
      if (number == UPPER_BOUNDS) {
        return max;
      }
      if (random.nextInt(8) == 0) {
        return random.nextBoolean() ? min : max;
      }
      return random.nextDouble(min, max);
    }

    long anyLong() {
      if (number == LOWER_BOUNDS) {
        return Long.MIN_VALUE;
      }
      if (number == UPPER_BOUNDS) {
        return Long.MAX_VALUE;
      }
      if (random.nextInt(8) == 0) {
        return LONG_EDGES[random.nextInt(LONG_EDGES.length)];
      }
      return random.nextLong();
    }

    /** One of {@code options} choices, uniformly: unlike a range, no choice is an edge. */
    int choice(int options) {
      if (number == LOWER_BOUNDS) {
        return 0;
      }
      if (number == UPPER_BOUNDS) {
        return options - 1;
      }
      return random.nextInt(options);
    }

    @Override
    public String toString() {
      return switch (number) {
        case LOWER_BOUNDS -> "trial 0 (every value at its lower bound)";
        case UPPER_BOUNDS -> "trial 1 (every value at its upper bound)";
        default -> "trial " + number + " (SplittableRandom seed " + number + ")";
      };
    }
  }
}
