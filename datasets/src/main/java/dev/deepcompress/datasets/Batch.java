package dev.deepcompress.datasets;

/**
 * A mini-batch.
 *
 * @param size number of samples
 * @param inputs {@code size × sampleSize} network inputs, each sample preprocessed as its set was
 *     prepared
 * @param labels one class index per sample
 */
public record Batch(int size, float[] inputs, int[] labels) {

  public Batch {
    if (size <= 0 || labels.length != size || inputs.length % size != 0) {
      throw new IllegalArgumentException(
          "inconsistent batch: size "
              + size
              + ", "
              + inputs.length
              + " inputs, "
              + labels.length
              + " labels");
    }
  }

  /** Number of input values per sample. */
  public int inputSize() {
    return inputs.length / size;
  }
}
