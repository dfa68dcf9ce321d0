package dev.deepcompress.runtime.kernels;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The runtime-wide thread count for compute kernels and the persistent pool that runs them.
 *
 * <p>The default is {@code min(availableProcessors, deepcompress.threads)} when that system
 * property is set, else {@code availableProcessors}. Kernels must give results that do not depend
 * on this setting.
 *
 * <p>The pool keeps {@code threads() - 1} daemon workers; the calling thread always does a share of
 * the work. Workers spin briefly after each job before parking, because kernels are typically
 * called back to back and waking a parked thread costs tens of microseconds.
 */
public final class KernelThreads {
  static final String PROPERTY = "deepcompress.threads";

  private static final long SPIN_NANOS = 100_000;

  private static volatile int configured;
  private static volatile int fromProperty;

  private static final ReentrantLock DISPATCH = new ReentrantLock();
  private static Worker[] workers = new Worker[0];
  private static volatile Job current;
  private static long epochs;

  private KernelThreads() {}

  /** The number of threads kernels use, at least 1. */
  public static int threads() {
    int t = configured;
    return t != 0 ? t : defaultThreads();
  }

  /** Sets the number of threads kernels use from now on. */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("kernel thread count must be at least 1, got " + threads);
    }
    configured = threads;
  }

  private static int defaultThreads() {
    int t = fromProperty;
    if (t == 0) {
      t = parseDefault(System.getProperty(PROPERTY), Runtime.getRuntime().availableProcessors());
      fromProperty = t;
    }
    return t;
  }

  static int parseDefault(String property, int processors) {
    if (property == null) {
      return processors;
    }
    int value;
    try {
      value = Integer.parseInt(property.trim());
    } catch (NumberFormatException e) {
      value = 0;
    }
    if (value < 1) {
      throw new IllegalStateException(
          "system property " + PROPERTY + " must be a positive integer, got '" + property + "'");
    }
    return Math.min(processors, value);
  }

  /**
   * Runs {@code task.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over up to {@link
   * #threads()} threads including the caller, and returns when all have finished. Tasks are handed
   * out dynamically, so they must not depend on which thread runs them. If tasks throw, the others
   * still run and one of the exceptions is rethrown here.
   *
   * <p>Calls made from inside a task, or while another thread's call is running, run their tasks on
   * the calling thread alone.
   */
  public static void parallelFor(int tasks, IntConsumer task) {
    if (tasks < 0) {
      throw new IllegalArgumentException("task count must be ≥ 0, got " + tasks);
    }
    int helpers = Math.min(tasks, threads()) - 1;
    if (helpers <= 0
        || Thread.currentThread() instanceof Worker
        || DISPATCH.isHeldByCurrentThread()
        || !DISPATCH.tryLock()) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
      return;
    }
    Job job;
    try {
      ensureWorkers(helpers);
      job = new Job(++epochs, tasks, helpers, task, Thread.currentThread());
      current = job;
      for (int w = 0; w < helpers; w++) {
        if (workers[w].parked) {
          LockSupport.unpark(workers[w]);
        }
      }
      job.run();
      job.awaitDone();
      current = null;
    } finally {
      DISPATCH.unlock();
    }
    job.rethrow();
  }

  /** One block of {@link #parallelBlocks}: its index and its range {@code [from, to)}. */
  @FunctionalInterface
  public interface BlockTask {
    void run(int block, int from, int to);
  }

  /**
   * Cuts {@code [0, length)} into blocks of {@code blockSize} (the last one shorter) and runs each
   * as {@link #parallelFor} runs a task. The blocks depend on the arguments alone, never on the
   * thread count, so a kernel that combines per-block results in block order gives the same result
   * on every machine.
   */
  public static void parallelBlocks(int length, int blockSize, BlockTask task) {
    if (length < 0 || blockSize < 1) {
      throw new IllegalArgumentException("blocks of " + blockSize + " over a length of " + length);
    }
    parallelFor(
        Math.ceilDiv(length, blockSize),
        block ->
            task.run(
                block, block * blockSize, (int) Math.min(length, (long) (block + 1) * blockSize)));
  }

  private static void ensureWorkers(int helpers) {
    if (workers.length >= helpers) {
      return;
    }
    Worker[] grown = Arrays.copyOf(workers, helpers);
    for (int w = workers.length; w < helpers; w++) {
      grown[w] = new Worker(w);
      grown[w].start();
    }
    workers = grown;
  }

  private static final class Job {
    final long epoch;
    final int tasks;
    final int helpers;
    final IntConsumer body;
    final Thread caller;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile boolean callerParked;
    volatile Throwable error;

    Job(long epoch, int tasks, int helpers, IntConsumer body, Thread caller) {
      this.epoch = epoch;
      this.tasks = tasks;
      this.helpers = helpers;
      this.body = body;
      this.caller = caller;
    }

    void run() {
      int i;
      while ((i = next.getAndIncrement()) < tasks) {
        try {
          body.accept(i);
        } catch (Throwable t) {
          if (error == null) {
            error = t;
          }
        } finally {
          if (done.incrementAndGet() == tasks && Thread.currentThread() != caller && callerParked) {
            LockSupport.unpark(caller);
          }
        }
      }
    }

    void awaitDone() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (done.get() < tasks) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          callerParked = true;
          if (done.get() < tasks) {
            LockSupport.park(this);
          }
          callerParked = false;
        }
      }
    }

    void rethrow() {
      Throwable t = error;
      if (t instanceof RuntimeException r) {
        throw r;
      }
      if (t instanceof Error e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException("kernel task failed", t);
      }
    }
  }

  private static final class Worker extends Thread {
    private final int index;
    volatile boolean parked;

    Worker(int index) {
      super("deepcompress-kernel-" + (index + 1));
      this.index = index;
      setDaemon(true);
    }

    @Override
    public void run() {
      long seen = 0;
      long idleSince = System.nanoTime();
      while (true) {
        Job job = current;
        if (job != null && job.epoch != seen && index < job.helpers) {
          seen = job.epoch;
          job.run();
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          parked = true;
          Job again = current;
          if (again == null || again.epoch == seen || index >= again.helpers) {
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
        }
      }
    }
  }
}
