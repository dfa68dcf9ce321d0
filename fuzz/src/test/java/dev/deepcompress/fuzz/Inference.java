package dev.deepcompress.fuzz;

import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.kernels.KernelThreads;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;

/** What a fuzz target does with a model a reader accepted: build it and run it once. */
final class Inference {
  /**
   * Multiply-adds above which a model is built and described but not run. A reader's limits bound
   * what a model allocates, not how long it computes: a valid convolution within them can take
   * minutes per image, which is the model's cost, not a reader's fault.
   */
  static final long MAX_MULTIPLY_ADDS = 1L << 24;

  static {
    // One thread: the same work on every run, and timings of one core.
    KernelThreads.setThreads(1);
  }

  private Inference() {}

  /**
   * Builds the network, checks that it is what {@link InferenceNetwork#describe} announced, and
   * runs one sample through it unless that would take too long.
   */
  static void runOnce(Model model) {
    InferenceNetwork network = InferenceNetwork.of(model);
    List<InferenceNetwork.LayerDescription> described = InferenceNetwork.describe(model);
    if (!described.equals(network.describeLayers())) {
      throw new AssertionError(
          "describe says " + described + " but the network runs " + network.describeLayers());
    }
    if (multiplyAdds(model.architecture()) > MAX_MULTIPLY_ADDS) {
      return;
    }
    float[] input = new float[network.inputSize()];
    for (int i = 0; i < input.length; i++) {
      // Some zeros, as after a ReLU, so that the kernels that skip them run too.
      input[i] = i % 3 == 0 ? 0 : (i % 7) - 3;
    }
    float[] output = network.forward(input, 1);
    if (output.length != network.outputSize()) {
      throw new AssertionError(output.length + " outputs, " + network.outputSize() + " expected");
    }
  }

  /** Multiply-adds (or comparisons) of one sample through every layer. */
  static long multiplyAdds(Architecture architecture) {
    long total = 0;
    List<Shape> inputs = architecture.layerInputShapes();
    for (int i = 0; i < inputs.size(); i++) {
      Shape input = inputs.get(i);
      LayerSpec layer = architecture.layers().get(i);
      long outputs = layer.outputShape(input).elementCount();
      long work =
          switch (layer) {
            case LayerSpec.FullyConnected fc -> product(fc.inputs(), fc.outputs());
            case LayerSpec.Convolution conv ->
                product(outputs, conv.inputChannels(), conv.kernelSize(), conv.kernelSize());
            case LayerSpec.MaxPool pool -> product(outputs, pool.kernelSize(), pool.kernelSize());
            case LayerSpec.AveragePool pool ->
                product(outputs, pool.kernelSize(), pool.kernelSize());
            case LayerSpec.Relu relu -> outputs;
          };
      total = Math.min(Long.MAX_VALUE - work, total) + work;
    }
    return total;
  }

  /** The product, or {@link Long#MAX_VALUE} if it overflows. */
  private static long product(long... factors) {
    long product = 1;
    for (long factor : factors) {
      if (Math.multiplyHigh(product, factor) != 0 || product * factor < 0) {
        return Long.MAX_VALUE;
      }
      product *= factor;
    }
    return product;
  }
}
