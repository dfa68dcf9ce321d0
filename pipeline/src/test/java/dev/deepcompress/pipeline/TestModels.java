package dev.deepcompress.pipeline;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small model files for command tests, made without training. */
final class TestModels {
  private TestModels() {}

  /**
   * LeNet-300-100 with about 10% of each weight kept, each one of 16 values (4-bit codebooks, 5-bit
   * gaps), biases dense, written as {@code dir/small.dcmodel}.
   */
  static Path compressedLenet300100(Path dir) throws IOException {
    Architecture architecture = ReferenceArchitectures.lenet300100();
    Model initial = Network.initialize(architecture, 1).toModel(Map.of());
    Map<String, Tensor> tensors = new LinkedHashMap<>(initial.tensors());
    SplittableRandom random = new SplittableRandom(2);
    for (ParameterSpec spec : architecture.parameters()) {
      if (spec.role() == ParameterSpec.Role.WEIGHT) {
        float[] w = new float[spec.shape().elementCount()];
        for (int i = 0; i < w.length; i++) {
          w[i] = random.nextDouble() < 0.1 ? (random.nextInt(16) - 8) / 64f + 1 / 128f : 0f;
        }
        tensors.put(spec.name(), SparseQuantizedTensor.fromDense(spec, w, 4, 5));
      }
    }
    Path file = dir.resolve("small.dcmodel");
    ModelFile.write(Model.ofTensors(architecture, tensors, Map.of("seed", "2")), file);
    return file;
  }
}
