package dev.deepcompress.pruning;

import dev.deepcompress.compression.Mask;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output units that nothing reads any more: a fully connected layer's neuron, or a convolution's
 * channel, none of whose values any kept weight of the next weighted layer multiplies (the ReLU and
 * pooling layers between keep each unit's values apart). Whatever such a unit computes is
 * multiplied by pruned weights only, so its own weights can all be pruned without changing the
 * network's output in any way. Pruning them can leave units of the layer before unread in turn, so
 * layers are visited from the last to the first.
 */
public final class UnusedUnits {
  private UnusedUnits() {}

  /**
   * {@code masks} (by weight tensor name) with the weights of every unread unit pruned too. A layer
   * whose weight tensor has no mask reads all its inputs; its inputs' units stay.
   */
  public static Map<String, Mask> prune(Architecture architecture, Map<String, Mask> masks) {
    Map<String, Mask> result = new LinkedHashMap<>(masks);
    List<LayerSpec> weighted = new ArrayList<>();
    for (LayerSpec layer : architecture.layers()) {
      switch (layer) {
        case LayerSpec.FullyConnected fc -> weighted.add(fc);
        case LayerSpec.Convolution conv -> weighted.add(conv);
        // These keep each unit's values apart: a unit they pass on is the unit before them.
        case LayerSpec.Relu relu -> {}
        case LayerSpec.MaxPool pool -> {}
        case LayerSpec.AveragePool pool -> {}
      }
    }
    for (int i = weighted.size() - 2; i >= 0; i--) {
      LayerSpec layer = weighted.get(i);
      LayerSpec next = weighted.get(i + 1);
      Mask own = result.get(weightName(layer));
      Mask read = result.get(weightName(next));
      if (own == null || read == null) {
        continue;
      }
      boolean[] used = usedUnits(layer, next, read);
      int perUnit = own.size() / used.length;
      result.put(weightName(layer), own.narrowedTo(p -> used[p / perUnit]));
    }
    return result;
  }

  /** Which output units of {@code layer} some kept weight of {@code next} reads. */
  private static boolean[] usedUnits(LayerSpec layer, LayerSpec next, Mask read) {
    int units = outputUnits(layer);
    boolean[] used = new boolean[units];
    int[] kept = read.keptPositions();
    switch (next) {
      case LayerSpec.FullyConnected fc -> {
        // Inputs are the previous output flattened unit-major: each unit owns a run of them.
        int perUnit = fc.inputs() / units;
        for (int p : kept) {
          used[(p % fc.inputs()) / perUnit] = true;
        }
      }
      case LayerSpec.Convolution conv -> {
        int perChannel = conv.kernelSize() * conv.kernelSize();
        for (int p : kept) {
          used[(p / perChannel) % conv.inputChannels()] = true;
        }
      }
      default -> throw new IllegalArgumentException("not a weighted layer: " + next);
    }
    return used;
  }

  private static int outputUnits(LayerSpec layer) {
    return switch (layer) {
      case LayerSpec.FullyConnected fc -> fc.outputs();
      case LayerSpec.Convolution conv -> conv.outputChannels();
      default -> throw new IllegalArgumentException("not a weighted layer: " + layer);
    };
  }

  private static String weightName(LayerSpec layer) {
    return switch (layer) {
      case LayerSpec.FullyConnected fc -> fc.weightName();
      case LayerSpec.Convolution conv -> conv.weightName();
      default -> throw new IllegalArgumentException("not a weighted layer: " + layer);
    };
  }
}
