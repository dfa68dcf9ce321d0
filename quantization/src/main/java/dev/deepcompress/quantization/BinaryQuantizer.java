package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.runtime.model.Levels;

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
    private final int[] rows;
    private final double[] sums;
    private final int[] counts;
    private final float[] scales;

    Training(CompressedTensor pruned, float[] weights) {
      super(pruned, weights);
      int channels = pruned.spec().shape().dim(0);
      this.rowLength = weights.length / channels;
      this.rows = new int[positions.length];
      for (int j = 0; j < positions.length; j++) {
        rows[j] = positions[j] / rowLength;
      }
      this.sums = new double[channels];
      this.counts = new int[channels];
      this.scales = new float[channels];
      for (int row : rows) {
        counts[row]++;
      }
      start();
    }

    @Override
    protected void assign() {
      java.util.Arrays.fill(sums, 0);
      for (int j = 0; j < shadow.length; j++) {
        sums[rows[j]] += Math.abs(shadow[j]);
        indices[j] = shadow[j] >= 0 ? 1 : 0;
      }
      for (int c = 0; c < scales.length; c++) {
        // 2α exactly: the level 2α × ±½ is then α itself.
        scales[c] = counts[c] == 0 ? 0f : 2 * (float) (sums[c] / counts[c]);
      }
      for (int j = 0; j < shadow.length; j++) {
        // As Levels.Affine.value computes it without a zero point: 2α × (2q − 1) / 2.
        quantized[j] = scales[rows[j]] * (indices[j] == 1 ? 0.5f : -0.5f);
      }
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
