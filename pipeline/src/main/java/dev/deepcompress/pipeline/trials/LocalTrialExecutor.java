package dev.deepcompress.pipeline.trials;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs trials on a fixed number of local threads. Each trial gets its own copy of whatever it
 * mutates (it builds its network from the shared context), so trials never see each other; the
 * compute kernels a trial calls share the process's kernel threads.
 */
public final class LocalTrialExecutor implements TrialExecutor {
  private final ExecutorService pool;

  /** An executor with {@code threads} worker threads (at least 1). */
  public LocalTrialExecutor(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("need at least one trial thread, got " + threads);
    }
    AtomicInteger created = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "deepcompress-trial-" + created.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public <C, R extends Serializable> List<R> runAll(
      C context, List<? extends Trial<C, R>> trials, TrialListener listener) {
    listener.started(trials.size());
    AtomicInteger done = new AtomicInteger();
    List<Future<R>> futures = new ArrayList<>(trials.size());
    for (Trial<C, R> trial : trials) {
      futures.add(
          pool.submit(
              () -> {
                long start = System.nanoTime();
                R result = trial.run(context);
                listener.finished(
                    trial,
                    result,
                    done.incrementAndGet(),
                    trials.size(),
                    (System.nanoTime() - start) / 1e9);
                return result;
              }));
    }
    List<R> results = new ArrayList<>(trials.size());
    try {
      for (Future<R> future : futures) {
        results.add(future.get());
      }
    } catch (InterruptedException e) {
      futures.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trials ran", e);
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("trial failed", e.getCause());
    }
    return results;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
