package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Parametric;
import dev.deepcompress.compression.Quantized;
import dev.deepcompress.quantization.QuantizerSpec.Clipping;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Levels;

/**
 * Uniform affine quantization, {@code value = S (q − Z)}, with a scale per tensor, output channel
 * or group, calibrated on each group's kept weights in time linear in their number. Trained mode
 * keeps the calibrated scales and zero points and trains shadow weights; the straight-through
 * gradient is zero for a shadow weight outside its group's range, which the grid cannot follow.
 */
record UniformQuantizer(QuantizerSpec.Uniform spec) implements Quantizer {

  /** Clipping ranges an MSE calibration tries: this many equal steps from 0 to min–max. */
  static final int MSE_CANDIDATES = 100;

  @Override
  public CompressedTensor quantize(CompressedTensor pruned, float[] weights) {
    return training(pruned, weights).tensor();
  }

  @Override
  public QuantizedTraining training(CompressedTensor pruned, float[] weights) {
    return new Training(pruned, weights, calibrate(pruned, weights));
  }

  /** The affine levels for the weights {@code pruned}'s mask keeps. */
  Levels.Affine calibrate(CompressedTensor pruned, float[] weights) {
    int rows = pruned.spec().shape().dim(0);
    int rowLength = weights.length / rows;
    int groupSize =
        switch (spec.scope()) {
          case TENSOR -> 0;
          case CHANNEL -> rowLength;
          case GROUP -> Math.min(spec.groupSize(), rowLength);
        };
    int groups = (int) Levels.Affine.groupCount(rows, rowLength, groupSize);
    int[] positions = pruned.mask().keptPositions();
    // Each group's kept weights are one run of them in position order.
    int[] start =
        ShadowTraining.groupStarts(
            positions, groups, p -> Levels.Affine.group(p, rowLength, groupSize));
    float[] scales = new float[groups];
    int[] zeroPoints = new int[spec.symmetric() ? 1 : groups];
    int top = (1 << spec.bits()) - 1;
    for (int g = 0; g < groups; g++) {
      float[] values = new float[start[g + 1] - start[g]];
      for (int j = 0; j < values.length; j++) {
        values[j] = weights[positions[start[g] + j]];
      }
      if (spec.symmetric()) {
        int half = 1 << (spec.bits() - 1);
        scales[g] = (float) (symmetricRange(values) / (half - 1));
        zeroPoints[0] = half;
      } else {
        double[] range = asymmetricRange(values);
        scales[g] = (float) ((range[1] - range[0]) / top);
        zeroPoints[g] = zeroPoint(range[0], scales[g], top);
      }
    }
    return new Levels.Affine(
        spec.bits(),
        rowLength,
        groupSize,
        scales,
        spec.symmetric() ? Levels.ZeroPoints.SHARED : Levels.ZeroPoints.PER_GROUP,
        zeroPoints);
  }

  private static int zeroPoint(double lo, float scale, int top) {
    return scale > 0 ? (int) Math.max(0, Math.min(top, Math.rint(-lo / scale))) : 0;
  }

  /** The level index of {@code w} on the grid {@code scale, zero} of {@code 0..top}. */
  static int index(float w, float scale, int zero, int top) {
    return scale > 0 ? ScalarTrainingKernels.onGrid(w, scale, zero, top) : zero;
  }

  /** α of a symmetric grid: the magnitude the clipping method gives. */
  private double symmetricRange(float[] values) {
    if (values.length == 0) {
      return 0;
    }
    float[] magnitudes = new float[values.length];
    double max = 0;
    for (int i = 0; i < values.length; i++) {
      magnitudes[i] = Math.abs(values[i]);
      max = Math.max(max, magnitudes[i]);
    }
    return switch (spec.clipping()) {
      case MIN_MAX -> max;
      case PERCENTILE -> Select.quantile(magnitudes, spec.percentile() / 100);
      case MSE -> {
        int half = 1 << (spec.bits() - 1);
        double best = max;
        double bestError = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= MSE_CANDIDATES; k++) {
          double alpha = max * k / MSE_CANDIDATES;
          float scale = (float) (alpha / (half - 1));
          double error = error(values, scale, half, 2 * half - 1);
          if (error < bestError) {
            bestError = error;
            best = alpha;
          }
        }
        yield best;
      }
    };
  }

  /** {@code [lo, hi]} of an asymmetric grid, zero inside it. */
  private double[] asymmetricRange(float[] values) {
    if (values.length == 0) {
      return new double[] {0, 0};
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double lo = Math.min(min, 0);
    double hi = Math.max(max, 0);
    if (spec.clipping() == Clipping.PERCENTILE) {
      double q = spec.percentile() / 100;
      lo = Math.min(0, Select.quantile(values.clone(), 1 - q));
      hi = Math.max(0, Select.quantile(values.clone(), q));
    } else if (spec.clipping() == Clipping.MSE) {
      int top = (1 << spec.bits()) - 1;
      double bestT = 1;
      double bestError = Double.POSITIVE_INFINITY;
      for (int k = 1; k <= MSE_CANDIDATES; k++) {
        double t = (double) k / MSE_CANDIDATES;
        float scale = (float) ((hi - lo) * t / top);
        double error = error(values, scale, zeroPoint(lo * t, scale, top), top);
        if (error < bestError) {
          bestError = error;
          bestT = t;
        }
      }
      lo *= bestT;
      hi *= bestT;
    }
    return new double[] {lo, hi};
  }

  /** Squared error of quantizing {@code values} on one grid. */
  private static double error(float[] values, float scale, int zero, int top) {
    double sum = 0;
    for (float v : values) {
      double d = v - scale * (float) (index(v, scale, zero, top) - zero);
      sum += d * d;
    }
    return sum;
  }

  /** Shadow weights under fixed affine levels. */
  private static final class Training extends ShadowTraining {
    private final Levels.Affine levels;
    private final int top;

    /** Where each group's kept weights start in kept order, and where the last one's end. */
    private final int[] starts;

    /** Each group's scale, zero point, and the range its grid reaches. */
    private final float[] scales;

    private final int[] zeroPoints;
    private final float[] lows;
    private final float[] highs;

    /** The group of each block's first kept weight. */
    private final int[] firstGroups;

    /**
     * The kept weights (in kept order) outside their group's range, where their gradients stop:
     * those of block b from {@code b × BLOCK} to {@code outsideEnds[b]}, ascending; room for all.
     */
    private final int[] outside;

    private final int[] outsideEnds;

    Training(CompressedTensor pruned, float[] weights, Levels.Affine levels) {
      super(pruned, weights);
      this.levels = levels;
      this.top = (1 << levels.bits()) - 1;
      this.scales = levels.scales();
      int groups = scales.length;
      this.starts = groupStarts(keptPositions(), groups, levels::group);
      this.zeroPoints = new int[groups];
      this.lows = new float[groups];
      this.highs = new float[groups];
      this.outside = new int[shadow.length];
      int blocks = Math.ceilDiv(shadow.length, TrainingKernels.BLOCK);
      this.outsideEnds = new int[blocks];
      this.firstGroups = new int[blocks];
      for (int b = 0, g = 0; b < blocks; b++) {
        while (starts[g + 1] <= b * TrainingKernels.BLOCK) {
          g++;
        }
        firstGroups[b] = g;
      }
      int[] z = levels.zeroPoints();
      for (int g = 0; g < groups; g++) {
        zeroPoints[g] = z.length == 1 ? z[0] : z[g];
        lows[g] = scales[g] * (float) (0 - zeroPoints[g]);
        highs[g] = scales[g] * (float) (top - zeroPoints[g]);
      }
      start();
    }

    /** Block by block on the kernel threads: each weight's level depends on it alone. */
    @Override
    protected void requantize(float[] updated) {
      KernelThreads.parallelBlocks(
          shadow.length,
          TrainingKernels.BLOCK,
          (block, from, to) ->
              outsideEnds[block] = requantize(updated, from, to, firstGroups[block]));
    }

    /**
     * Requantizes {@code [from, to)}, whose first kept weight is in {@code group}; records the
     * weights outside their range from {@code outside[from]} on and returns where they end.
     */
    private int requantize(float[] updated, int from, int to, int group) {
      int count = from;
      for (int g = group; from < to; g++) {
        int end = Math.min(to, starts[g + 1]);
        float scale = scales[g];
        int zero = zeroPoints[g];
        if (scale > 0) {
          count =
              TrainingKernels.PREFERRED.uniform(
                  shadow, updated, quantized, indices, from, end, scale, zero, top, lows[g],
                  highs[g], outside, count);
        } else {
          // Every weight of the group is at its zero point.
          for (int j = from; j < end; j++) {
            moveAndSet(j, updated, zero, scale * 0f);
          }
          count =
              ScalarTrainingKernels.recordOutside(
                  shadow, from, end, lows[g], highs[g], outside, count);
        }
        from = end;
      }
      return count;
    }

    /** Outside the hot loop: moves one shadow weight (if updated) and sets its level. */
    private void moveAndSet(int j, float[] updated, int q, float level) {
      if (updated != null) {
        shadow[j] += updated[j] - quantized[j];
        updated[j] = level;
      }
      indices[j] = q;
      quantized[j] = level;
    }

    @Override
    protected Quantized quantization() {
      return new Parametric(levels.bits(), levels, indices);
    }

    @Override
    protected boolean changesGradients() {
      for (int b = 0; b < outsideEnds.length; b++) {
        if (outsideEnds[b] > b * TrainingKernels.BLOCK) {
          return true;
        }
      }
      return false;
    }

    @Override
    protected void shadowGradients(float[] gradients) {
      for (int b = 0; b < outsideEnds.length; b++) {
        for (int k = b * TrainingKernels.BLOCK; k < outsideEnds[b]; k++) {
          gradients[outside[k]] = 0f;
        }
      }
    }
  }
}
