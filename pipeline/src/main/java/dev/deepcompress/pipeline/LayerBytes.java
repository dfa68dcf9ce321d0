package dev.deepcompress.pipeline;

import dev.deepcompress.compression.CompressedTensor;
import dev.deepcompress.compression.Mask;
import dev.deepcompress.pipeline.trials.Trial;
import dev.deepcompress.pipeline.trials.TrialExecutor;
import dev.deepcompress.pipeline.trials.TrialListener;
import dev.deepcompress.pruning.ThresholdPolicy;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a layer's weight tensor costs in the file at a kept fraction and a codebook width, found by
 * encoding it: the reference's weights pruned by magnitude to that fraction, shared in a k-means
 * codebook of that width, encoded by the writer's own encoder at the position-gap width that makes
 * it smallest. Retraining moves the weights afterwards, so the file's tensor differs a little (its
 * mask and codebook are retrained ones); the search checks its choice against the file in the end.
 */
final class LayerBytes {
  private LayerBytes() {}

  /** One layer at one kept fraction and width: its encoded bytes, header fields included. */
  record Cost(String tensor, double keptFraction, int bits, int bytes) implements Serializable {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,d B", bytes);
    }
  }

  /** Encodes {@code tensor} of the context's reference at a kept fraction and width. */
  record EncodeTrial(String tensor, double keptFraction, int bits)
      implements Trial<Sensitivity.Context, Cost> {
    @Override
    public Cost run(Sensitivity.Context context) {
      return new Cost(
          tensor, keptFraction, bits, encodedBytes(context, tensor, keptFraction, bits));
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "%s keep %.1f%% %d-bit", tensor, 100 * keptFraction, bits);
    }
  }

  /** Encodes {@code tensor} of the context's reference as its mask in the context keeps it. */
  record EncodeMaskedTrial(String tensor, int bits) implements Trial<Sensitivity.Context, Cost> {
    @Override
    public Cost run(Sensitivity.Context context) {
      Mask mask = context.masks().get(tensor);
      return new Cost(tensor, mask.keptFraction(), bits, encodedBytes(context, tensor, mask, bits));
    }

    @Override
    public String describe() {
      return tensor + " as pruned, " + bits + "-bit";
    }
  }

  static int encodedBytes(
      Sensitivity.Context context, String tensor, double keptFraction, int bits) {
    float[] weights = context.reference().parameters().get(tensor);
    Mask all = Mask.all(weights.length);
    return encodedBytes(
        context,
        tensor,
        all.narrowedTo(
            weights, new ThresholdPolicy.KeptFraction(keptFraction).threshold(weights, all)),
        bits);
  }

  private static int encodedBytes(Sensitivity.Context context, String tensor, Mask mask, int bits) {
    Model reference = context.reference();
    ParameterSpec spec =
        reference.architecture().parameters().stream()
            .filter(p -> p.name().equals(tensor))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no parameter named " + tensor));
    float[] weights = reference.parameters().get(tensor);
    CompressedTensor quantized =
        context
            .kmeans(bits)
            .quantizer(context.seed())
            .quantize(CompressedTensor.pruned(spec, mask), weights);
    return ModelFile.encodedBytes(spec, Compressor.smallestEncoding(quantized));
  }

  /**
   * The cost of every layer of {@code tensorOfLayer} at every kept fraction and width, keyed by
   * layer, then kept fraction, then width.
   */
  static Map<String, Map<Double, Map<Integer, Integer>>> measure(
      Sensitivity.Context context,
      Map<String, String> tensorOfLayer,
      List<Double> keep,
      List<Integer> bits,
      TrialExecutor executor,
      TrialListener listener) {
    List<EncodeTrial> trials = new ArrayList<>();
    for (String tensor : tensorOfLayer.values()) {
      for (double k : keep) {
        for (int b : bits) {
          trials.add(new EncodeTrial(tensor, k, b));
        }
      }
    }
    List<Cost> costs = executor.runAll(context, trials, listener);
    Map<String, Map<Double, Map<Integer, Integer>>> table = new LinkedHashMap<>();
    int next = 0;
    for (String layer : tensorOfLayer.keySet()) {
      Map<Double, Map<Integer, Integer>> byKeep = new LinkedHashMap<>();
      for (double k : keep) {
        Map<Integer, Integer> byBits = new LinkedHashMap<>();
        for (int b : bits) {
          byBits.put(b, costs.get(next++).bytes());
        }
        byKeep.put(k, byBits);
      }
      table.put(layer, byKeep);
    }
    return table;
  }
}
