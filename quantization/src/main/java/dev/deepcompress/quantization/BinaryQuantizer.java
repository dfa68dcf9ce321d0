package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Levels;
import java.util.Arrays;

/**
 * Binary weights (XNOR-Net's): each kept weight becomes {@code ±α_c}, its sign times its output
 * channel's scale, the mean magnitude of the channel's kept weights, which minimises the squared
 * error for those signs. Stored as one-bit affine levels without a zero point, {@code 2α_c (q −
 * ½)}. Trained mode trains shadow weights with a straight-through gradient and re-derives the
 * scales from them after every step.
 */
record BinaryQuantizer(QuantizerSpec.Binary spec) implements Quantizer {

  @Override
  public CompressedTensor quantize(CompressedTensor pruned, float[] weights) {
    return training(pruned, weights).tensor();
  }

  @Override
  public QuantizedTraining training(CompressedTensor pruned, float[] weights) {
    return new Training(pruned, weights);
  }

  private static final class Training extends ShadowTraining {
    private final int rowLength;

    /** Where each row's kept weights start in kept order, and where the last one's end. */
    private final int[] starts;

    private final float[] scales;

    /**
     * The first row of each task of a requantization, and at the end the row count: whole rows,
     * about {@link TrainingKernels#BLOCK} kept weights a task.
     */
    private final int[] taskRows;

    Training(CompressedTensor pruned, float[] weights) {
      super(pruned, weights);
      int channels = pruned.spec().shape().dim(0);
      this.rowLength = weights.length / channels;
      this.starts = groupStarts(keptPositions(), channels, p -> p / rowLength);
      this.scales = new float[channels];
      int[] rows = new int[channels + 1];
      int tasks = 0;
      for (int c = 0; c < channels; c++) {
        if (starts[c] >= starts[rows[tasks]] + TrainingKernels.BLOCK) {
          rows[++tasks] = c;
        }
      }
      rows[++tasks] = channels;
      this.taskRows = Arrays.copyOf(rows, tasks + 1);
      start();
    }

    /** Rows on the kernel threads; each row's scale depends on that row alone. */
    @Override
    protected void requantize(float[] updated) {
      KernelThreads.parallelFor(
          taskRows.length - 1,
          task -> {
            for (int c = taskRows[task]; c < taskRows[task + 1]; c++) {
              requantizeRow(c, updated);
            }
          });
    }

    /**
     * One row's passes while it is in cache: the signs, the scale (a {@link BlockedSums} of the
     * magnitudes), then the levels.
     */
    private void requantizeRow(int c, float[] updated) {
      int from = starts[c];
      int to = starts[c + 1];
      TrainingKernels.PREFERRED.binarySigns(shadow, updated, quantized, indices, from, to);
      double sum = TrainingKernels.PREFERRED.sumOfMagnitudes(shadow, from, to);
      // 2α exactly: the level 2α × ±½ is then α itself.
      float scale = to == from ? 0f : 2 * (float) (sum / (to - from));
      scales[c] = scale;
      // As Levels.Affine.value computes it without a zero point: 2α × (2q − 1) / 2.
      int negativeBits = Float.floatToRawIntBits(scale * -0.5f);
      int flip = negativeBits ^ Float.floatToRawIntBits(scale * 0.5f);
      TrainingKernels.PREFERRED.binaryLevels(
          indices, quantized, updated, from, to, negativeBits, flip);
    }

    @Override
    protected Quantized quantization() {
      return new Parametric(
          1,
          new Levels.Affine(1, rowLength, rowLength, scales, Levels.ZeroPoints.MIDRISE, new int[0]),
          indices);
    }
  }
}
