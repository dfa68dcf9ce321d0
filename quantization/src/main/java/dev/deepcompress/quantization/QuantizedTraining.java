package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.training.ParameterConstraint;
import java.util.List;

/**
 * One tensor under quantization-aware training. As a {@link ParameterConstraint} it sees each
 * gradient (taken at the quantized weights the forward pass used) and each update, and leaves the
 * network's values at quantized levels after every step, pruned weights at exactly {@code +0.0}.
 */
public interface QuantizedTraining extends ParameterConstraint {

  /** Writes the current quantized weights into {@code weights}, pruned ones as {@code +0.0}. */
  void quantize(float[] weights);

  /** The pruned tensor with its current quantization. */
  CompressedTensor tensor();

  /**
   * What retraining has moved so far (centroids, shadow weights, scales), so that a run can be
   * continued exactly: every trained quantizer says, none may fall back on "nothing".
   */
  @Override
  List<float[]> learned();

  @Override
  void restoreLearned(List<float[]> learned);
}
