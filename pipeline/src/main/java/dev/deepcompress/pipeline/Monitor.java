package dev.deepcompress.pipeline;

import dev.deepcompress.datasets.DatasetSplits;
import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.training.Evaluation;

/**
 * The images whose error a run prints while it trains and retrains: the validation split when there
 * is one, since those figures may steer choices; the test images otherwise, for information only.
 */
record Monitor(String name, SampleSet images) {

  static Monitor of(DatasetSplits splits) {
    return splits.validation().count() > 0
        ? new Monitor("validation", splits.validation())
        : new Monitor("test", splits.test());
  }

  double errorPercent(Evaluation.Predictor predictor) {
    return Evaluation.evaluate(predictor, images).errorPercent();
  }
}
