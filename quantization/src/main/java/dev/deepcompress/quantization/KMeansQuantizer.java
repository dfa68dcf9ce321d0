package dev.deepcompress.quantization;

import dev.deepcompress.compression.CompressedTensor;

/** Weight sharing by k-means (Han et al. 2016), trained by the grouped centroid gradient. */
record KMeansQuantizer(QuantizerSpec.KMeans spec, long seed) implements Quantizer {

  @Override
  public CompressedTensor quantize(CompressedTensor pruned, float[] weights) {
    return training(pruned, weights).tensor();
  }

  @Override
  public QuantizedTraining training(CompressedTensor pruned, float[] weights) {
    return WeightSharing.cluster(pruned, weights, spec.bits(), spec.init(), spec.step(), seed);
  }
}
