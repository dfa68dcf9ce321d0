package dev.deepcompress.training;

/**
 * Softmax followed by the negative log-likelihood, averaged over the batch (Caffe's normalisation).
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * Returns the mean loss over {@code batch} rows of {@code logits} and writes its gradient with
   * respect to the logits into {@code gradient}.
   */
  public static double lossAndGradient(
      float[] logits, int[] labels, int batch, int classes, float[] gradient) {
    double total = 0;
    double[] probabilities = new double[classes];
    for (int i = 0; i < batch; i++) {
      int row = i * classes;
      int label = labels[i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, logits[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < classes; j++) {
        probabilities[j] = Math.exp(logits[row + j] - max);
        sum += probabilities[j];
      }
      total -= (logits[row + label] - max) - Math.log(sum);
      for (int j = 0; j < classes; j++) {
        double p = probabilities[j] / sum - (j == label ? 1 : 0);
        gradient[row + j] = (float) (p / batch);
      }
    }
    return total / batch;
  }
}
