package dev.deepcompress.training;

import dev.deepcompress.datasets.Batch;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, 2015): the labels' cross-entropy mixed with the
 * cross-entropy against a teacher's outputs softened by a temperature. Retraining a pruned or
 * weight-shared network towards the dense network it came from keeps it near the function that
 * network learned, instead of letting the few remaining weights fit the training labels alone.
 *
 * @param teacher a network with the same outputs; only run forward, never changed
 * @param temperature T &gt; 0; both softmaxes of the soft term divide the logits by it
 * @param softWeight α in [0, 1]: loss = (1 − α)·CE(labels) + α·T²·KL(teacher_T ‖ student_T); T²
 *     keeps the soft term's gradient on the scale of the hard term's as T changes
 */
public record Distillation(Network teacher, double temperature, double softWeight)
    implements Objective {

  public Distillation {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    }
    if (!(softWeight >= 0 && softWeight <= 1)) {
      throw new IllegalArgumentException("soft-target weight must be in [0, 1], got " + softWeight);
    }
  }

  @Override
  public double lossAndGradient(Batch batch, float[] logits, int classes, float[] gradient) {
    float[] teacherLogits = teacher.forward(batch.inputs(), batch.size());
    return lossAndGradient(
        logits,
        teacherLogits,
        batch.labels(),
        batch.size(),
        classes,
        temperature,
        softWeight,
        gradient);
  }

  /** The loss for given teacher logits; see the class comment. */
  static double lossAndGradient(
      float[] logits,
      float[] teacherLogits,
      int[] labels,
      int batch,
      int classes,
      double temperature,
      double softWeight,
      float[] gradient) {
    double hard = SoftmaxCrossEntropy.lossAndGradient(logits, labels, batch, classes, gradient);
    double soft = 0;
    double[] target = new double[classes];
    double[] student = new double[classes];
    for (int i = 0; i < batch; i++) {
      int row = i * classes;
      logSoftmax(teacherLogits, row, classes, temperature, target);
      logSoftmax(logits, row, classes, temperature, student);
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(target[j]);
        double q = Math.exp(student[j]);
        soft += p * (target[j] - student[j]);
        // d(T²·KL)/dz = T·(q − p); the hard term's gradient is already in place.
        double softGradient = temperature * (q - p) / batch;
        gradient[row + j] =
            (float) ((1 - softWeight) * gradient[row + j] + softWeight * softGradient);
      }
    }
    return (1 - softWeight) * hard + softWeight * temperature * temperature * soft / batch;
  }

  /** Log-probabilities of softmax(logits / T) for one row, without overflow or log(0). */
  private static void logSoftmax(
      float[] logits, int row, int classes, double temperature, double[] logProbabilities) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < classes; j++) {
      max = Math.max(max, logits[row + j]);
    }
    double sum = 0;
    for (int j = 0; j < classes; j++) {
      logProbabilities[j] = (logits[row + j] - max) / temperature;
      sum += Math.exp(logProbabilities[j]);
    }
    double logSum = Math.log(sum);
    for (int j = 0; j < classes; j++) {
      logProbabilities[j] -= logSum;
    }
  }
}
