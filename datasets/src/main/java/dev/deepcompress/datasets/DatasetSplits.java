package dev.deepcompress.datasets;

import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;

/**
 * The data of one run: training samples, a validation split held out of them for model selection
 * (possibly empty), and the test samples, which are for the final report only.
 *
 * @param name what the data is, e.g. {@code mnist} or the file names
 */
public record DatasetSplits(String name, SampleSet train, SampleSet validation, SampleSet test) {

  /** Training and test data without a validation split. */
  public DatasetSplits(String name, SampleSet train, SampleSet test) {
    this(name, train, train.select(new int[0]), test);
  }

  /**
   * Holds out {@code count} training samples as the validation split, spread evenly over the
   * training data in its stored order: sample ⌊j·M/count⌋ for j = 0 … count−1, where M is the
   * number of training samples (every ⌊M/count⌋-th sample when count divides M). The rest, in their
   * order, are the training samples. Spreading them keeps the split representative of data stored
   * sorted by label; it depends on nothing but M and count.
   *
   * @throws IllegalArgumentException if count is negative or leaves no training samples
   * @throws IllegalStateException if a validation split is already held out
   */
  public DatasetSplits withValidation(int count) {
    if (validation.count() > 0) {
      throw new IllegalStateException("a validation split is already held out");
    }
    SampleSet all = train;
    int total = all.count();
    if (count < 0 || count >= total) {
      throw new IllegalArgumentException(
          "a validation split of "
              + count
              + " samples needs 0 to "
              + (total - 1)
              + ": there are "
              + total
              + " training samples");
    }
    int[] held = validationIndices(total, count);
    int[] kept = new int[total - count];
    int next = 0;
    int k = 0;
    for (int i = 0; i < total; i++) {
      if (next < count && held[next] == i) {
        next++;
      } else {
        kept[k++] = i;
      }
    }
    return new DatasetSplits(name, all.select(kept), all.select(held), test);
  }

  /** ⌊j·total/count⌋ for j < count: strictly increasing, since count ≤ total. */
  static int[] validationIndices(int total, int count) {
    int[] indices = new int[count];
    for (int j = 0; j < count; j++) {
      indices[j] = (int) ((long) j * total / count);
    }
    return indices;
  }

  /**
   * Every split prepared for a model (see {@link SampleSet#preparedFor}).
   *
   * @throws DatasetException if the samples do not fit the model's input or outputs
   */
  public DatasetSplits preparedFor(Shape inputShape, int classes, Preprocessing preprocessing)
      throws DatasetException {
    return new DatasetSplits(
        name,
        train.preparedFor(inputShape, classes, preprocessing),
        validation.preparedFor(inputShape, classes, preprocessing),
        test.preparedFor(inputShape, classes, preprocessing));
  }
}
