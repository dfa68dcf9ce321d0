package dev.deepcompress.compression;

import dev.deepcompress.runtime.model.Levels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Quantization whose levels follow from a few parameters rather than a table: a uniform affine grid
 * with a scale (and zero point) per tensor, output channel or group ({@link Levels.Affine}; binary
 * weights are its one-bit, zero-free case), or signed powers of two ({@link Levels.PowersOfTwo}).
 * The file stores those parameters, not a float per level. Immutable.
 */
public record Parametric(int bits, Levels levels, int[] indices) implements Quantized {

  public Parametric {
    Quantized.requireBits(bits);
    Objects.requireNonNull(levels, "levels");
    if (levels instanceof Levels.Table) {
      throw new IllegalArgumentException("a table of levels is a Codebook");
    }
    indices = indices.clone();
    for (int j = 0; j < indices.length; j++) {
      if (indices[j] >= 1 << bits || !levels.isLevel(indices[j])) {
        throw new IllegalArgumentException(
            "index " + indices[j] + " of kept weight " + j + " is not a level of " + levels);
      }
    }
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public int count() {
    return indices.length;
  }

  @Override
  public float value(int index, int position) {
    return levels.value(index, position);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Parametric p
        && bits == p.bits
        && levels.equals(p.levels)
        && Arrays.equals(indices, p.indices);
  }

  @Override
  public int hashCode() {
    return 31 * levels.hashCode() + Arrays.hashCode(indices);
  }

  @Override
  public String toString() {
    return "Parametric[" + bits + " bits, " + levels + ", " + indices.length + " kept weights]";
  }
}
