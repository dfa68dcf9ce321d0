package dev.deepcompress.pipeline;

import dev.deepcompress.quantization.KMeans1D;
import dev.deepcompress.quantization.QuantizerSpec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** Which quantizer each layer gets, and whether biases are quantized. */
final class QuantizerOptions {
  @Option(
      names = "--quantizer",
      paramLabel = "LAYER=SPEC",
      description = {
        "Quantizer of a layer (repeatable): KIND[:BITS][,OPTION]..., e.g. ip1=kmeans:5,density,"
            + " conv1=uniform:4,asym,per-channel,mse, ip2=log:4,sqrt2, ip3=ternary, ip1=binary,post.",
        "Kinds: kmeans, uniform, log, ternary, binary; mode: trained (default) or post"
            + " (calibration only). Every option is in docs/quantizers.md."
      })
  Map<String, String> quantizers = new LinkedHashMap<>();

  @Option(
      names = "--bits",
      paramLabel = "LAYER=BITS",
      description =
          "Shorthand for --quantizer LAYER=kmeans:BITS with --init (1-8; default 5), keeping the"
              + " planned k-means' centroid step (the paper's plans: step=sum).")
  Map<String, Integer> bits = new LinkedHashMap<>();

  @Option(
      names = "--init",
      description =
          "k-means initialisation for --bits and the default plans: ${COMPLETION-CANDIDATES}"
              + " (default: linear).")
  KMeans1D.Init init;

  @Option(
      names = "--quantize-biases",
      description = "Store the biases of the compressed layers as 8-bit uniform, not fp32.")
  boolean quantizeBiases;

  /** Every layer these options name. */
  Set<String> layers() {
    Set<String> layers = new LinkedHashSet<>(quantizers.keySet());
    layers.addAll(bits.keySet());
    return layers;
  }

  /**
   * {@code planned} with what these options say for {@code layer}: its quantizer (from --quantizer,
   * else --bits, else the planned one with --init if it is k-means) and its bias.
   */
  LayerPlan apply(String layer, LayerPlan planned) {
    if (quantizers.containsKey(layer) && bits.containsKey(layer)) {
      throw new UserInputException("--bits and --quantizer both name " + layer + "; give one");
    }
    QuantizerSpec spec = planned.quantizer();
    if (quantizers.containsKey(layer)) {
      spec = UserInputException.check(() -> QuantizerSpec.parse(quantizers.get(layer)));
    } else if (bits.containsKey(layer)) {
      int b = bits.get(layer);
      QuantizerSpec.CentroidStep step =
          spec instanceof QuantizerSpec.KMeans k ? k.step() : QuantizerSpec.KMeans.DEFAULT_STEP;
      spec =
          UserInputException.check(
              () ->
                  new QuantizerSpec.KMeans(
                      b, initOr(KMeans1D.Init.LINEAR), step, QuantizerSpec.Mode.TRAINED));
    } else if (spec instanceof QuantizerSpec.KMeans k && init != null) {
      spec = new QuantizerSpec.KMeans(k.bits(), init, k.step(), k.mode());
    }
    LayerPlan result = planned.withQuantizer(spec);
    return quantizeBiases ? result.withBias(LayerPlan.Bias.UNIFORM8) : result;
  }

  KMeans1D.Init initOr(KMeans1D.Init otherwise) {
    return init != null ? init : otherwise;
  }
}
