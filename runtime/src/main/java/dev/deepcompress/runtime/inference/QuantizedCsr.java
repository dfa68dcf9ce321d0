package dev.deepcompress.runtime.inference;

import dev.deepcompress.runtime.model.SparseQuantizedTensor;

/**
 * A sparse-quantized [rows, columns] matrix in compressed sparse row form that keeps the codebook
 * indices: row r's stored elements are {@code rowStart[r]..rowStart[r+1]-1}, each a column and a
 * codebook index. Nothing is decoded to dense values.
 */
final class QuantizedCsr {
  private final int rows;
  private final int columns;
  private final int[] rowStart;
  private final int[] column;
  private final byte[] code;
  private final float[] codebook;

  /** {@code tensor} must have rows × columns elements, as a fully connected weight does. */
  QuantizedCsr(SparseQuantizedTensor tensor, int rows, int columns) {
    this.rows = rows;
    this.columns = columns;
    this.codebook = tensor.codebook();
    this.code = tensor.codes();
    int[] positions = tensor.positions();
    this.column = new int[positions.length];
    this.rowStart = new int[rows + 1];
    // Positions ascend, so rows come in order: count per row, then prefix sums.
    for (int i = 0; i < positions.length; i++) {
      rowStart[positions[i] / columns + 1]++;
      column[i] = positions[i] % columns;
    }
    for (int r = 0; r < rows; r++) {
      rowStart[r + 1] += rowStart[r];
    }
  }

  /**
   * {@code output[b][r] = bias[r] + Σ codebook[code]·input[b][column]} over row r's stored
   * elements, for each of {@code batchSize} input rows of {@code columns} values.
   */
  float[] multiplyTransposed(float[] input, int batchSize, float[] bias) {
    float[] output = new float[batchSize * rows];
    for (int b = 0; b < batchSize; b++) {
      int in = b * columns;
      int out = b * rows;
      for (int r = 0; r < rows; r++) {
        float sum = 0f;
        for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
          sum += codebook[Byte.toUnsignedInt(code[k])] * input[in + column[k]];
        }
        output[out + r] = sum + bias[r];
      }
    }
    return output;
  }
}
