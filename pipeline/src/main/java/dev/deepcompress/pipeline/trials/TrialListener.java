package dev.deepcompress.pipeline.trials;

/** Progress of a batch of trials; called from the threads that run them. */
public interface TrialListener {

  /** Ignores everything. */
  TrialListener SILENT = new TrialListener() {};

  /** A batch of {@code total} trials begins. */
  default void started(int total) {}

  /** Trial {@code trial} finished with {@code result}; {@code done} of {@code total} are done. */
  default void finished(Trial<?, ?> trial, Object result, int done, int total, double seconds) {}
}
