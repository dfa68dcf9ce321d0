package dev.deepcompress.pipeline;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import java.util.Locale;
import java.util.Objects;

/**
 * What to do to one layer: how to prune its weights, which quantizer their survivors get, how wide
 * the stored position gaps are, and whether its bias stays fp32.
 *
 * @param pruning the magnitude threshold rule; {@code new ThresholdPolicy.KeptFraction(1)} keeps
 *     every weight (quantization only)
 * @param quantizer the quantizer and its settings, e.g. {@code QuantizerSpec.parse("kmeans:5")}
 * @param gapBits width of the stored position gaps, 1..{@value SparseQuantizedTensor#MAX_GAP_BITS},
 *     or {@link #AUTO_GAP_BITS} for the width that makes the tensor smallest
 * @param bias how the layer's bias is stored
 */
public record LayerPlan(ThresholdPolicy pruning, QuantizerSpec quantizer, int gapBits, Bias bias) {

  /** Gap bits value meaning: try every width and keep the one giving the smallest tensor. */
  public static final int AUTO_GAP_BITS = 0;

  /** How a compressed layer's bias is stored. */
  public enum Bias {
    /** As it is, 32-bit floats. */
    FP32("fp32"),
    /** Uniform affine, 8 bits, one scale and zero point for the tensor; never retrained. */
    UNIFORM8("uniform8");

    /** The quantizer of a {@link #UNIFORM8} bias. */
    static final QuantizerSpec UNIFORM8_SPEC =
        QuantizerSpec.parse("uniform:8,asym,per-tensor,post");

    private final String word;

    Bias(String word) {
      this.word = word;
    }

    /** The word plan files and the command line use. */
    public String word() {
      return word;
    }

    /**
     * @throws IllegalArgumentException for another word
     */
    public static Bias of(String word) {
      for (Bias bias : values()) {
        if (bias.word.equals(word.toLowerCase(Locale.ROOT))) {
          return bias;
        }
      }
      throw new IllegalArgumentException("bias '" + word + "' is neither fp32 nor uniform8");
    }
  }

  /**
   * @throws IllegalArgumentException if the gap width is out of range
   */
  public LayerPlan {
    Objects.requireNonNull(pruning, "pruning");
    Objects.requireNonNull(quantizer, "quantizer");
    Objects.requireNonNull(bias, "bias");
    if (gapBits != AUTO_GAP_BITS && (gapBits < 1 || gapBits > SparseQuantizedTensor.MAX_GAP_BITS)) {
      throw new IllegalArgumentException(
          "gap bits must be 1-" + SparseQuantizedTensor.MAX_GAP_BITS + " or auto, got " + gapBits);
    }
  }

  /**
   * k-means weight sharing with {@code bits}, linear initialisation, trained with the default
   * centroid step; smallest gaps, fp32 bias.
   */
  public static LayerPlan kmeans(ThresholdPolicy pruning, int bits) {
    return new LayerPlan(
        pruning, QuantizerSpec.kmeans(bits, KMeans1D.Init.LINEAR), AUTO_GAP_BITS, Bias.FP32);
  }

  public LayerPlan withPruning(ThresholdPolicy pruning) {
    return new LayerPlan(pruning, quantizer, gapBits, bias);
  }

  public LayerPlan withQuantizer(QuantizerSpec quantizer) {
    return new LayerPlan(pruning, quantizer, gapBits, bias);
  }

  public LayerPlan withGapBits(int gapBits) {
    return new LayerPlan(pruning, quantizer, gapBits, bias);
  }

  public LayerPlan withBias(Bias bias) {
    return new LayerPlan(pruning, quantizer, gapBits, bias);
  }

  /**
   * One line for reports and the file's metadata. The paper's weight sharing ({@link
   * QuantizerSpec.KMeans#paper}) reads as the paper's "6-bit weights".
   */
  String describe() {
    String weights =
        quantizer.equals(QuantizerSpec.KMeans.paper(quantizer.bits()))
            ? quantizer.bits() + "-bit weights"
            : quantizer.toString();
    String gaps = gapBits == AUTO_GAP_BITS ? "smallest-size" : gapBits + "-bit";
    return pruning.describe()
        + ", "
        + weights
        + ", "
        + gaps
        + " gaps"
        + (bias == Bias.FP32 ? "" : ", " + bias.word() + " bias");
  }
}
