package dev.deepcompress.pipeline.trials;

import java.io.Serializable;
import java.util.List;

/**
 * Runs batches of independent {@link Trial}s. The search submits every trial through this one
 * interface and knows nothing of how they run: on local threads ({@link LocalTrialExecutor}) or,
 * later, on a cluster engine that ships the trials to workers holding the same context.
 */
public interface TrialExecutor extends AutoCloseable {

  /**
   * Runs every trial against {@code context} and returns their results in the order of {@code
   * trials}, whatever order they finished in. If a trial throws, the trials not yet started are
   * dropped and the exception is rethrown here.
   */
  <C, R extends Serializable> List<R> runAll(
      C context, List<? extends Trial<C, R>> trials, TrialListener listener);

  /** Releases the executor's threads or connections; it runs nothing afterwards. */
  @Override
  void close();
}
