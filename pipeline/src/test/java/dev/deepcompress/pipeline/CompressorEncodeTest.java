package dev.deepcompress.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.training.Network;
import dev.deepcompress.training.ReferenceArchitectures;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompressorEncodeTest {

  /** LeNet-300-100 with ~6% of its weights left, each one of 16 values. */
  private static Network sparseQuantized() {
    Network network = Network.initialize(ReferenceArchitectures.lenet300100(), 3);
    SplittableRandom random = new SplittableRandom(5);
    for (String layer : new String[] {"ip1", "ip2", "ip3"}) {
      float[] w = network.parameter(layer + ".weight").values();
      for (int i = 0; i < w.length; i++) {
        w[i] = random.nextDouble() < 0.06 ? (random.nextInt(16) - 8) / 64f + 1 / 128f : 0f;
      }
    }
    return network;
  }

  private static CompressionPlan plan(int gapBits) {
    Map<String, ThresholdPolicy> keep =
        Map.of(
            "ip1", new ThresholdPolicy.KeptFraction(1),
            "ip2", new ThresholdPolicy.KeptFraction(1));
    return new CompressionPlan(
        keep,
        Map.of("ip1", 4, "ip2", 4),
        Map.of("ip1", gapBits, "ip2", gapBits),
        1,
        0,
        0,
        0.1,
        KMeans1D.Init.LINEAR,
        CompressionPlan.Distilling.OFF);
  }

  @Test
  void plannedLayersAreSparseQuantizedTheRestStaysDense() {
    Model model = Compressor.encode(sparseQuantized(), plan(5), Map.of());
    assertInstanceOf(SparseQuantizedTensor.class, model.tensor("ip1.weight"));
    assertInstanceOf(SparseQuantizedTensor.class, model.tensor("ip2.weight"));
    assertInstanceOf(DenseTensor.class, model.tensor("ip3.weight"), "not in the plan");
    assertInstanceOf(DenseTensor.class, model.tensor("ip1.bias"));
    assertEquals(5, ((SparseQuantizedTensor) model.tensor("ip1.weight")).gapBits());
  }

  @Test
  void autoGapBitsPicksTheSmallestWidthForEachLayer() {
    Network network = sparseQuantized();
    Model auto = Compressor.encode(network, plan(CompressionPlan.AUTO_GAP_BITS), Map.of());
    for (ParameterSpec spec : network.architecture().parameters()) {
      if (!(auto.tensor(spec.name()) instanceof SparseQuantizedTensor chosen)) {
        continue;
      }
      int chosenBytes = ModelFile.encodedBytes(spec, chosen);
      int smallest = Integer.MAX_VALUE;
      for (int bits = 1; bits <= 8; bits++) {
        smallest =
            Math.min(
                smallest,
                ModelFile.encodedBytes(
                    spec,
                    SparseQuantizedTensor.fromDense(
                        spec, network.parameter(spec.name()).values(), 4, bits)));
      }
      assertEquals(smallest, chosenBytes, spec.name());
      assertTrue(chosen.gapBits() > 1, "1-bit gaps would be all fillers: " + chosen.gapBits());
    }
    assertEquals(
        ModelFile.toBytes(auto).length,
        ModelFile.toBytes(Compressor.encode(network, plan(0), Map.of())).length,
        "deterministic");
  }
}
