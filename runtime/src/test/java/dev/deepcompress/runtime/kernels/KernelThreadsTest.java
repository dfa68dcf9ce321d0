package dev.deepcompress.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {
  private int savedThreads;

  @BeforeEach
  void save() {
    savedThreads = KernelThreads.threads();
  }

  @AfterEach
  void restore() {
    KernelThreads.setThreads(savedThreads);
  }

  @Test
  void runsEveryTaskExactlyOnce() {
    for (int threads = 1; threads <= 4; threads++) {
      KernelThreads.setThreads(threads);
      for (int tasks : new int[] {0, 1, 2, 3, 7, 100}) {
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        for (int repeat = 0; repeat < 50; repeat++) {
          KernelThreads.parallelFor(tasks, runs::incrementAndGet);
        }
        for (int i = 0; i < tasks; i++) {
          assertEquals(50, runs.get(i), "task " + i + " of " + tasks + " on " + threads);
        }
      }
    }
  }

  @Test
  void blocksCoverTheRangeInPiecesFixedByTheArgumentsAlone() {
    for (int threads = 1; threads <= 3; threads++) {
      KernelThreads.setThreads(threads);
      for (int length : new int[] {0, 1, 5, 16, 17, 100}) {
        for (int size : new int[] {1, 4, 16}) {
          AtomicIntegerArray covered = new AtomicIntegerArray(length);
          AtomicIntegerArray seenBlocks = new AtomicIntegerArray(Math.ceilDiv(length, size));
          KernelThreads.parallelBlocks(
              length,
              size,
              (block, from, to) -> {
                seenBlocks.incrementAndGet(block);
                assertEquals(block * size, from);
                assertEquals(Math.min(length, from + size), to);
                for (int i = from; i < to; i++) {
                  covered.incrementAndGet(i);
                }
              });
          for (int b = 0; b < seenBlocks.length(); b++) {
            assertEquals(1, seenBlocks.get(b), "block " + b);
          }
          for (int i = 0; i < length; i++) {
            assertEquals(1, covered.get(i), "index " + i + " of " + length + " by " + size);
          }
        }
      }
    }
    assertThrows(
        IllegalArgumentException.class, () -> KernelThreads.parallelBlocks(5, 0, (b, f, t) -> {}));
    assertThrows(
        IllegalArgumentException.class, () -> KernelThreads.parallelBlocks(-1, 4, (b, f, t) -> {}));
  }

  @Test
  void usesPoolThreadsAndTheCaller() throws InterruptedException {
    KernelThreads.setThreads(3);
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    // Tasks that wait for each other can only finish if three threads run them at once.
    java.util.concurrent.CountDownLatch allStarted = new java.util.concurrent.CountDownLatch(3);
    KernelThreads.parallelFor(
        3,
        i -> {
          seen.add(Thread.currentThread());
          allStarted.countDown();
          try {
            assertTrue(allStarted.await(10, java.util.concurrent.TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
    assertEquals(3, seen.size());
    assertTrue(seen.contains(Thread.currentThread()));
    for (Thread t : seen) {
      assertTrue(t == Thread.currentThread() || t.isDaemon(), t.getName());
    }
  }

  @Test
  void rethrowsAFailureAfterAllTasksRan() {
    KernelThreads.setThreads(2);
    AtomicIntegerArray runs = new AtomicIntegerArray(10);
    IllegalStateException failure = new IllegalStateException("task 3 failed");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                KernelThreads.parallelFor(
                    10,
                    i -> {
                      runs.incrementAndGet(i);
                      if (i == 3) {
                        throw failure;
                      }
                    }));
    assertSame(failure, thrown);
    for (int i = 0; i < 10; i++) {
      assertEquals(1, runs.get(i));
    }
    // The pool still works afterwards.
    AtomicIntegerArray again = new AtomicIntegerArray(4);
    KernelThreads.parallelFor(4, again::incrementAndGet);
    for (int i = 0; i < 4; i++) {
      assertEquals(1, again.get(i));
    }
  }

  @Test
  void nestedCallsRunInline() {
    KernelThreads.setThreads(2);
    AtomicIntegerArray runs = new AtomicIntegerArray(16);
    KernelThreads.parallelFor(
        4, i -> KernelThreads.parallelFor(4, j -> runs.incrementAndGet(4 * i + j)));
    for (int i = 0; i < 16; i++) {
      assertEquals(1, runs.get(i));
    }
  }

  @Test
  void concurrentCallersAllComplete() throws InterruptedException {
    KernelThreads.setThreads(2);
    AtomicIntegerArray runs = new AtomicIntegerArray(4 * 200);
    Thread[] callers = new Thread[4];
    for (int t = 0; t < callers.length; t++) {
      int base = t * 200;
      callers[t] =
          new Thread(
              () -> {
                for (int repeat = 0; repeat < 100; repeat++) {
                  KernelThreads.parallelFor(200, i -> runs.incrementAndGet(base + i));
                }
              });
      callers[t].start();
    }
    for (Thread caller : callers) {
      caller.join(30_000);
      assertTrue(!caller.isAlive(), "a caller is stuck");
    }
    for (int i = 0; i < runs.length(); i++) {
      assertEquals(100, runs.get(i));
    }
  }

  @Test
  void validatesSettings() {
    assertThrows(IllegalArgumentException.class, () -> KernelThreads.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> KernelThreads.parallelFor(-1, i -> {}));
    KernelThreads.setThreads(5);
    assertEquals(5, KernelThreads.threads());
  }

  @Test
  void defaultIsCappedByProcessorsAndProperty() {
    assertEquals(8, KernelThreads.parseDefault(null, 8));
    assertEquals(3, KernelThreads.parseDefault("3", 8));
    assertEquals(8, KernelThreads.parseDefault(" 64 ", 8));
    IllegalStateException bad =
        assertThrows(IllegalStateException.class, () -> KernelThreads.parseDefault("two", 8));
    assertTrue(bad.getMessage().contains("deepcompress.threads"), bad.getMessage());
    assertThrows(IllegalStateException.class, () -> KernelThreads.parseDefault("0", 8));
  }
}
