package dev.deepcompress.runtime.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network as a named, ordered list of layers applied to an input of a fixed shape. Validated on
 * construction: every layer accepts the shape the previous one produces, names are unique.
 */
public record Architecture(String name, Shape inputShape, List<LayerSpec> layers) {

  public Architecture {
    Names.requireValid(name);
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("architecture " + name + " has no layers");
    }
    Set<String> seen = new HashSet<>();
    Shape shape = inputShape;
    for (LayerSpec layer : layers) {
      if (!seen.add(layer.name())) {
        throw new IllegalArgumentException(
            "duplicate layer name '" + layer.name() + "' in " + name);
      }
      shape = layer.outputShape(shape);
    }
  }

  /** Shape entering each layer, index-aligned with {@link #layers()}. */
  public List<Shape> layerInputShapes() {
    List<Shape> shapes = new ArrayList<>(layers.size());
    Shape shape = inputShape;
    for (LayerSpec layer : layers) {
      shapes.add(shape);
      shape = layer.outputShape(shape);
    }
    return shapes;
  }

  public Shape outputShape() {
    Shape shape = inputShape;
    for (LayerSpec layer : layers) {
      shape = layer.outputShape(shape);
    }
    return shape;
  }

  /** Every learnable tensor, in layer order; this order is also the file order. */
  public List<ParameterSpec> parameters() {
    List<ParameterSpec> all = new ArrayList<>();
    List<Shape> inputs = layerInputShapes();
    for (int i = 0; i < layers.size(); i++) {
      all.addAll(layers.get(i).parameters(inputs.get(i)));
    }
    return all;
  }

  /**
   * Layer name → name of its weight tensor, in layer order, for every layer that has weights (the
   * tensors pruning and weight sharing act on).
   */
  public Map<String, String> weightNamesByLayer() {
    Map<String, String> names = new LinkedHashMap<>();
    for (LayerSpec layer : layers) {
      switch (layer) {
        case LayerSpec.FullyConnected fc -> names.put(fc.name(), fc.weightName());
        case LayerSpec.Convolution conv -> names.put(conv.name(), conv.weightName());
        case LayerSpec.MaxPool pool -> {}
        case LayerSpec.AveragePool pool -> {}
        case LayerSpec.Relu relu -> {}
      }
    }
    return names;
  }

  public long parameterCount() {
    long count = 0;
    for (ParameterSpec p : parameters()) {
      count += p.shape().elementCount();
    }
    return count;
  }
}
