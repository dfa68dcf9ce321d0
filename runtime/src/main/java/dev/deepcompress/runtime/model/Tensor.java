package dev.deepcompress.runtime.model;

/**
 * The values of one parameter tensor, in one of the forms a model file can hold them: plain fp32,
 * or pruned and weight-shared (sparse positions plus codebook indices).
 */
public sealed interface Tensor permits DenseTensor, SparseQuantizedTensor, QuantizedTensor {

  Shape shape();

  /** All elements in row-major order, in a new array. */
  float[] toDense();
}
