package dev.deepcompress.compression;

import dev.deepcompress.runtime.model.Levels;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.QuantizedTensor;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * One compressed weight tensor as the stages hand it on: pruning gives its {@link Mask},
 * quantization adds how the kept weights are {@link Quantized}, and the writer stores exactly that.
 * Named by its parameter (e.g. {@code "ip1.weight"}), the key every stage uses. Immutable: each
 * stage returns a new value.
 */
public final class CompressedTensor {
  private final ParameterSpec spec;
  private final Mask mask;
  private final Quantized quantization;

  private CompressedTensor(ParameterSpec spec, Mask mask, Quantized quantization) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.mask = Objects.requireNonNull(mask, "mask");
    this.quantization = quantization;
    if (mask.size() != spec.shape().elementCount()) {
      throw new IllegalArgumentException(
          spec.name()
              + ": a mask of "
              + mask.size()
              + " elements for shape "
              + spec.shape()
              + ", which has "
              + spec.shape().elementCount());
    }
    if (quantization != null && quantization.count() != mask.keptCount()) {
      throw new IllegalArgumentException(
          spec.name()
              + ": "
              + quantization.count()
              + " quantized weights, but the mask keeps "
              + mask.keptCount());
    }
  }

  /** The tensor as pruning leaves it: {@code mask} says which weights remain. */
  public static CompressedTensor pruned(ParameterSpec spec, Mask mask) {
    return new CompressedTensor(spec, mask, null);
  }

  /** This tensor with its kept weights quantized as {@code quantization} says. */
  public CompressedTensor withQuantization(Quantized quantization) {
    return new CompressedTensor(spec, mask, Objects.requireNonNull(quantization, "quantization"));
  }

  /** The parameter's name, e.g. {@code "ip1.weight"}. */
  public String name() {
    return spec.name();
  }

  public ParameterSpec spec() {
    return spec;
  }

  public Mask mask() {
    return mask;
  }

  /** Empty until the quantization stage has run. */
  public Optional<Quantized> quantization() {
    return Optional.ofNullable(quantization);
  }

  /** The weights this value stands for, pruned ones +0.0. */
  public float[] dequantized() {
    return requireQuantized().dequantize(mask);
  }

  /**
   * The tensor the file stores: the kept positions, and exactly the quantizer's parameters and
   * indices, whatever their values (a centroid of 0, two equal centroids and unused entries are all
   * kept as they are). A k-means codebook of a pruned tensor is a {@link SparseQuantizedTensor}, as
   * it always was; every other quantization, and any quantization of a tensor whose mask keeps
   * every element (which then needs no positions), is a {@link QuantizedTensor}.
   *
   * @param gapBits width of the stored position gaps, 1..{@value
   *     SparseQuantizedTensor#MAX_GAP_BITS}; ignored when every element is kept
   */
  public Tensor toTensor(int gapBits) {
    Quantized quantized = requireQuantized();
    int[] indices = quantized.indices();
    byte[] codes = new byte[indices.length];
    for (int j = 0; j < indices.length; j++) {
      codes[j] = (byte) indices[j];
    }
    boolean dense = mask.keptCount() == mask.size();
    Levels levels =
        switch (quantized) {
          case Codebook codebook -> {
            if (!dense) {
              yield null;
            }
            yield new Levels.Table(codebook.centroids());
          }
          case Parametric parametric -> parametric.levels();
        };
    if (levels == null) {
      Codebook codebook = (Codebook) quantized;
      return new SparseQuantizedTensor(
          spec.shape(),
          codebook.centroids(),
          mask.keptPositions(),
          codes,
          codebook.bits(),
          gapBits);
    }
    return dense
        ? QuantizedTensor.dense(spec.shape(), levels, codes, quantized.bits())
        : new QuantizedTensor(
            spec.shape(), levels, mask.keptPositions(), codes, quantized.bits(), gapBits);
  }

  private Quantized requireQuantized() {
    if (quantization == null) {
      throw new IllegalStateException(spec.name() + " is pruned but not quantized yet");
    }
    return quantization;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CompressedTensor t
        && spec.equals(t.spec)
        && mask.equals(t.mask)
        && Objects.equals(quantization, t.quantization);
  }

  @Override
  public int hashCode() {
    return Objects.hash(spec, mask, quantization);
  }

  @Override
  public String toString() {
    return "CompressedTensor["
        + spec.name()
        + ", "
        + mask
        + (quantization == null ? ", not quantized" : ", " + quantization)
        + "]";
  }
}
