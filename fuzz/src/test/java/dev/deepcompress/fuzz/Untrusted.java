package dev.deepcompress.fuzz;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.ToLongFunction;

/**
 * What every fuzz target asserts of a reader given untrusted bytes: it returns, or it throws its
 * format's own exception with an offset inside the input. Anything else (another exception, an
 * OutOfMemoryError, a StackOverflowError) propagates and is Jazzer's finding, as is a load that
 * takes more than {@link #MAX_LOAD_NANOS} of CPU time.
 */
final class Untrusted {
  /** A second of the loading thread's CPU time: immune to a busy machine, generous for a load. */
  static final long MAX_LOAD_NANOS = 1_000_000_000L;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Untrusted() {}

  /** A reader's load of one input. */
  @FunctionalInterface
  interface Load<T> {
    T load() throws Exception;
  }

  /**
   * The exception a reader rejects bad input with.
   *
   * @param offset the byte offset it names, which must lie within the input; null if it names its
   *     offsets in its message only
   */
  record Rejection<E extends Exception>(Class<E> type, ToLongFunction<E> offset) {
    static <E extends Exception> Rejection<E> of(Class<E> type) {
      return new Rejection<>(type, null);
    }
  }

  /**
   * Runs {@code load} under the invariant.
   *
   * @return what the reader returned, or null if it rejected the input as it should
   */
  static <T, E extends Exception> T load(byte[] input, Rejection<E> rejection, Load<T> load)
      throws Exception {
    long start = THREADS.getCurrentThreadCpuTime();
    T loaded;
    try {
      loaded = load.load();
    } catch (Exception e) {
      if (!rejection.type().isInstance(e)) {
        throw e;
      }
      requireOffsetInside(input, rejection, rejection.type().cast(e));
      loaded = null;
    }
    long took = THREADS.getCurrentThreadCpuTime() - start;
    if (took > MAX_LOAD_NANOS) {
      throw new AssertionError(
          String.format(
              "loading %d bytes took %.2f s of CPU time, more than %.2f s",
              input.length, took / 1e9, MAX_LOAD_NANOS / 1e9));
    }
    return loaded;
  }

  private static <E extends Exception> void requireOffsetInside(
      byte[] input, Rejection<E> rejection, E e) {
    if (rejection.offset() == null) {
      return;
    }
    long offset = rejection.offset().applyAsLong(e);
    if (offset < 0 || offset > input.length) {
      throw new AssertionError(
          "offset " + offset + " is outside the " + input.length + "-byte input: " + e.getMessage(),
          e);
    }
  }
}
