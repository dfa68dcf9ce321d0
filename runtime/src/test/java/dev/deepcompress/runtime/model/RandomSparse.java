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

  /**
   * A quantized tensor (encoding 2) with random levels of each kind: a table, affine levels per
   * tensor, per row or per group with every zero-point mode, or powers of two; every element stored
   * or about {@code density} of them.
   */
  public static QuantizedTensor quantized(SplittableRandom random, Shape shape, double density) {
    int elements = shape.elementCount();
    int rows = shape.dim(0);
    int rowLength = elements / rows;
    int indexBits = 1 + random.nextInt(8);
    Levels levels =
        switch (random.nextInt(indexBits >= 2 ? 3 : 2)) {
          case 0 -> new Levels.Table(codebook(random, 1 + random.nextInt(1 << indexBits)));
          case 1 -> {
            int groupSize =
                switch (random.nextInt(3)) {
                  case 0 -> 0;
                  case 1 -> rowLength;
                  default -> 1 + random.nextInt(rowLength);
                };
            long groups = Levels.Affine.groupCount(rows, rowLength, groupSize);
            float[] scales = new float[(int) groups];
            for (int g = 0; g < scales.length; g++) {
              scales[g] = (float) Math.abs(random.nextGaussian() * 0.05);
            }
            Levels.ZeroPoints mode = Levels.ZeroPoints.values()[random.nextInt(3)];
            int[] zeroPoints =
                new int
                    [mode == Levels.ZeroPoints.PER_GROUP
                        ? scales.length
                        : mode == Levels.ZeroPoints.SHARED ? 1 : 0];
            for (int g = 0; g < zeroPoints.length; g++) {
              zeroPoints[g] = random.nextInt(1 << indexBits);
            }
            yield new Levels.Affine(indexBits, rowLength, groupSize, scales, mode, zeroPoints);
          }
          default -> new Levels.PowersOfTwo(indexBits, -random.nextInt(6), random.nextBoolean());
        };
    boolean dense = random.nextBoolean();
    int[] chosen = new int[elements];
    int count = 0;
    for (int i = 0; i < elements; i++) {
      if (dense || random.nextDouble() < density) {
        chosen[count++] = i;
      }
    }
    byte[] codes = new byte[count];
    for (int i = 0; i < count; i++) {
      int code;
      do {
        code = random.nextInt(1 << indexBits);
      } while (!levels.isLevel(code));
      codes[i] = (byte) code;
    }
    return new QuantizedTensor(
        shape,
        levels,
        Arrays.copyOf(chosen, count),
        codes,
        indexBits,
        dense ? QuantizedTensor.DENSE : 1 + random.nextInt(8));
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
   * Quantized weights of random density, index and gap bits, half of them sparse-quantized
   * (encoding 1), half quantized (encoding 2); biases dense or, one in four, quantized; now and
   * then a dense weight.
   */
  public static Model model(Architecture architecture, SplittableRandom random) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      Shape shape = spec.shape();
      if (spec.role() == ParameterSpec.Role.WEIGHT && random.nextInt(8) != 0) {
        double density = random.nextDouble();
        tensors.put(
            spec.name(),
            random.nextBoolean()
                ? tensor(
                    random, shape, density * density, 1 + random.nextInt(8), 1 + random.nextInt(8))
                : quantized(random, shape, density * density));
      } else if (spec.role() == ParameterSpec.Role.BIAS && random.nextInt(4) == 0) {
        tensors.put(spec.name(), quantized(random, shape, 1));
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
