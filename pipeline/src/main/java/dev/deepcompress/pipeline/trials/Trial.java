package dev.deepcompress.pipeline.trials;

import java.io.Serializable;

/**
 * One independent unit of a search: one layer × setting of a sensitivity grid, or one candidate
 * plan, evaluated against inputs every trial of a run shares (the context: a reference model, the
 * validation split). A trial is a small serialisable description of what to try, and its result is
 * serialisable too, so an executor may run it in another thread, process or machine that holds the
 * same context; a trial must not depend on where, when or beside which others it runs.
 *
 * @param <C> the shared inputs, which a trial reads and never changes
 * @param <R> what one trial measures
 */
public interface Trial<C, R extends Serializable> extends Serializable {

  /** Runs the trial; the same trial on the same context gives the same result. */
  R run(C context);

  /** One line for progress and logs, e.g. {@code "ip1 keep 5.0%"}. */
  String describe();
}
