package dev.deepcompress.training;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;

/** Classification error of any predictor over a whole sample set, as the set was prepared. */
public final class Evaluation {

  /** Anything that maps a batch of inputs to class indices: a trainable network or the runtime. */
  @FunctionalInterface
  public interface Predictor {
    int[] predict(float[] inputs, int batch);
  }

  public record Result(int errors, int total) {
    public double errorPercent() {
      return 100.0 * errors / total;
    }
  }

  private static final int BATCH = 1000;

  private Evaluation() {}

  public static Result evaluate(Predictor predictor, SampleSet set) {
    int errors = 0;
    for (Batch batch : Batches.sequential(set, BATCH)) {
      int[] predicted = predictor.predict(batch.inputs(), batch.size());
      for (int i = 0; i < batch.size(); i++) {
        if (predicted[i] != batch.labels()[i]) {
          errors++;
        }
      }
    }
    return new Result(errors, set.count());
  }
}
