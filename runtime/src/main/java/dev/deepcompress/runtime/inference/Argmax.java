package dev.deepcompress.runtime.inference;

/** Class decisions from output rows. */
public final class Argmax {
  private Argmax() {}

  /**
   * Index of the largest value in each row of a rows×columns array; ties go to the lowest index.
   */
  public static int[] rows(float[] values, int rows, int columns) {
    int[] result = new int[rows];
    for (int row = 0; row < rows; row++) {
      int offset = row * columns;
      int best = 0;
      for (int j = 1; j < columns; j++) {
        if (values[offset + j] > values[offset + best]) {
          best = j;
        }
      }
      result[row] = best;
    }
    return result;
  }
}
