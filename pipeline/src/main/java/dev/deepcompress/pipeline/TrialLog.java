package dev.deepcompress.pipeline;

import dev.deepcompress.pipeline.trials.Trial;
import dev.deepcompress.pipeline.trials.TrialListener;
import java.io.PrintStream;
import java.util.Locale;

/** One line per finished trial: how many are done, what it tried, what it measured. */
record TrialLog(PrintStream console, String what) implements TrialListener {
  @Override
  public void started(int total) {
    console.printf("%s: %d trials%n", what, total);
  }

  @Override
  public synchronized void finished(
      Trial<?, ?> trial, Object result, int done, int total, double seconds) {
    int width = Integer.toString(total).length();
    console.printf(
        Locale.ROOT,
        "[%" + width + "d/%d] %s: %s (%.1f s)%n",
        done,
        total,
        trial.describe(),
        result,
        seconds);
  }
}
