package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;

/**
 * One quantizer with its settings ({@link QuantizerSpec#quantizer}): it turns the kept weights of
 * one pruned tensor into one index per kept weight and the parameters that give each index its
 * value. Pruned weights are never quantized and never revived.
 */
public interface Quantizer {

  QuantizerSpec spec();

  /**
   * Post-training quantization: calibrates on the weights {@code pruned}'s mask keeps (pruned
   * entries of {@code weights} are ignored) and returns {@code pruned} with its quantization. The
   * same arguments always give the same result; {@code weights} is not changed.
   *
   * @param weights the whole tensor, in the parameter's layout (output channels first)
   */
  CompressedTensor quantize(CompressedTensor pruned, float[] weights);

  /**
   * Quantization-aware training, starting from what {@link #quantize} gives: the returned
   * constraint, handed to a trainer, keeps the network's values at their quantized levels while
   * what the quantizer learns (full-precision shadow weights, centroids, scales) follows the
   * gradient. {@code weights} is not changed; see {@link QuantizedTraining#quantize}.
   */
  QuantizedTraining training(CompressedTensor pruned, float[] weights);
}
