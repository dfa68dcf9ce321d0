package dev.deepcompress.runtime.model;

import java.util.Objects;

/**
 * Row-major fp32 values. The array is shared, not copied: it must not be changed while the tensor
 * is in use.
 */
public record DenseTensor(Shape shape, float[] values) implements Tensor {

  public DenseTensor {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    if (values.length != shape.elementCount()) {
      throw new IllegalArgumentException(
          values.length + " values for shape " + shape + ", which needs " + shape.elementCount());
    }
  }

  @Override
  public float[] toDense() {
    return values.clone();
  }
}
