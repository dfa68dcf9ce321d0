package dev.deepcompress.pipeline;

import dev.deepcompress.training.Trainer;
import java.io.Console;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over the batches of one epoch, shown only on an interactive terminal so that logs
 * and CI output get the one-line epoch summaries alone. It closes itself after the last batch.
 */
final class EpochProgress implements Trainer.Listener, AutoCloseable {
  private ProgressBar bar;

  EpochProgress(String task, int batches) {
    Console console = System.console();
    bar =
        console != null && console.isTerminal()
            ? new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, 100))
                .clearDisplayOnFinish()
                .build()
            : null;
  }

  @Override
  public void batchFinished(int batchIndex, int batchCount, double loss) {
    if (bar != null) {
      bar.stepTo(batchIndex + 1);
      bar.setExtraMessage(String.format(" loss %.4f", loss));
      if (batchIndex + 1 == batchCount) {
        close();
      }
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
