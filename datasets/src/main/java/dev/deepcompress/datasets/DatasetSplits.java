package dev.deepcompress.datasets;

/**
 * The data of one run: training images, a validation split held out of them for model selection
 * (possibly empty), and the test images, which are for the final report only.
 */
public record DatasetSplits(DatasetKind kind, ImageSet train, ImageSet validation, ImageSet test) {

  /** Training and test data without a validation split. */
  public DatasetSplits(DatasetKind kind, ImageSet train, ImageSet test) {
    this(kind, train, train.select(new int[0]), test);
  }

  /**
   * Holds out {@code count} training images as the validation split, spread evenly over the
   * training data in its stored order: image ⌊j·M/count⌋ for j = 0 … count−1, where M is the number
   * of training images. The rest, in their order, are the training images. The split depends on
   * nothing but M and count.
   *
   * @throws IllegalArgumentException if count is negative or leaves no training images
   * @throws IllegalStateException if a validation split is already held out
   */
  public DatasetSplits withValidation(int count) {
    if (validation.count() > 0) {
      throw new IllegalStateException("a validation split is already held out");
    }
    int total = train.count();
    if (count < 0 || count >= total) {
      throw new IllegalArgumentException(
          "a validation split of "
              + count
              + " images needs 0 to "
              + (total - 1)
              + ": there are "
              + total
              + " training images");
    }
    int[] held = new int[count];
    for (int j = 0; j < count; j++) {
      held[j] = (int) ((long) j * total / count);
    }
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
    return new DatasetSplits(kind, train.select(kept), train.select(held), test);
  }
}
