package dev.deepcompress.training;

import dev.deepcompress.datasets.Batch;

/** What training minimises on one batch, given the network's logits for it. */
@FunctionalInterface
public interface Objective {
  /** Softmax cross-entropy against the batch's labels. */
  Objective LABELS =
      (batch, logits, classes, gradient) ->
          SoftmaxCrossEntropy.lossAndGradient(
              logits, batch.labels(), batch.size(), classes, gradient);

  /**
   * Returns the mean loss over the batch and writes its gradient with respect to {@code logits}
   * (batch × classes) into {@code gradient}.
   */
  double lossAndGradient(Batch batch, float[] logits, int classes, float[] gradient);
}
