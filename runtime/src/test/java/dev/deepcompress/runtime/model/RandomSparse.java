package dev.deepcompress.runtime.model;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Random sparse-quantized tensors and models for round-trip and agreement tests. */
public final class RandomSparse {
  private RandomSparse() {}

  /**
   * About {@code density} of the elements stored (each independently), a codebook of 1 to {@code
   * 2^indexBits} distinct random values (some possibly unused), random codes.
   */
  public static SparseQuantizedTensor tensor(
      SplittableRandom random, Shape shape, double density, int indexBits, int gapBits) {
    int elements = shape.elementCount();
    int[] chosen = new int[elements];
    int count = 0;
    for (int i = 0; i < elements; i++) {
      if (random.nextDouble() < density) {
        chosen[count++] = i;
      }
    }
    int[] positions = Arrays.copyOf(chosen, count);
    float[] codebook = codebook(random, 1 + random.nextInt(1 << indexBits));
    byte[] codes = new byte[count];
    for (int i = 0; i < count; i++) {
      codes[i] = (byte) random.nextInt(codebook.length);
    }
    return new SparseQuantizedTensor(shape, codebook, positions, codes, indexBits, gapBits);
  }

  /** Distinct non-zero values, unsorted. */
  public static float[] codebook(SplittableRandom random, int size) {
    Set<Float> seen = new HashSet<>();
    float[] codebook = new float[size];
    for (int k = 0; k < size; ) {
      float v = (float) (random.nextGaussian() * 0.3);
      if (v != 0f && seen.add(v)) {
        codebook[k++] = v;
      }
    }
    return codebook;
  }

  /**
   * Sparse-quantized weights of random density, index and gap bits; dense biases; now and then a
   * dense weight.
   */
  public static Model model(Architecture architecture, SplittableRandom random) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      Shape shape = spec.shape();
      if (spec.role() == ParameterSpec.Role.WEIGHT && random.nextInt(8) != 0) {
        double density = random.nextDouble();
        tensors.put(
            spec.name(),
            tensor(random, shape, density * density, 1 + random.nextInt(8), 1 + random.nextInt(8)));
      } else {
        float[] values = new float[shape.elementCount()];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) random.nextGaussian();
        }
        tensors.put(spec.name(), new DenseTensor(shape, values));
      }
    }
    return Model.ofTensors(architecture, tensors, Map.of());
  }

  /** The same model with every tensor decoded to dense fp32. */
  public static Model decoded(Model model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.tensors().forEach((name, tensor) -> values.put(name, tensor.toDense()));
    return new Model(model.architecture(), values, model.metadata());
  }
}
