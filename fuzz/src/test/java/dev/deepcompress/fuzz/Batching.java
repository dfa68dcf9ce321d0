package dev.deepcompress.fuzz;

import dev.deepcompress.datasets.Batch;
import dev.deepcompress.datasets.Batches;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.runtime.model.Preprocessing;

/** What a fuzz target does with a sample set a reader accepted: batch it as training does. */
final class Batching {
  private Batching() {}

  /** Assembles the first batch of up to 64 samples, checking its length. */
  static void firstBatch(SampleSet set) {
    if (set.count() == 0) {
      return;
    }
    SampleSet prepared = set.withPreprocessing(Preprocessing.identity());
    Batch batch = Batches.sequential(prepared, 64).iterator().next();
    if (batch.inputs().length != batch.size() * set.sampleSize()) {
      throw new AssertionError("a batch of " + batch.size() + " has the wrong length");
    }
  }
}
