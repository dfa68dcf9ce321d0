package dev.deepcompress.runtime.model;

import java.util.List;

/**
 * One layer of an {@link Architecture}. The description is the single source of shapes: training
 * builds trainable layers from it and the runtime builds inference layers from it.
 */
public sealed interface LayerSpec {

  /** Layer name, unique within an architecture; parameter tensors are named after it. */
  String name();

  /** Output shape for the given input shape (without the batch dimension). */
  Shape outputShape(Shape input);

  /** The learnable tensors of this layer, in file order. */
  default List<ParameterSpec> parameters(Shape input) {
    return List.of();
  }

  /**
   * Fully connected layer: {@code y = W·x + b} with {@code W} of shape [outputs, inputs]. Like
   * Caffe's InnerProduct it flattens any input whose element count equals {@code inputs}.
   */
  record FullyConnected(String name, int inputs, int outputs) implements LayerSpec {
    public FullyConnected {
      Names.requireValid(name);
      if (inputs <= 0 || outputs <= 0) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + ": inputs and outputs must be positive, got "
                + inputs
                + "→"
                + outputs);
      }
    }

    @Override
    public Shape outputShape(Shape input) {
      if (input.elementCount() != inputs) {
        throw new IllegalArgumentException(
            "layer " + name + " expects " + inputs + " inputs but receives shape " + input);
      }
      return Shape.of(outputs);
    }

    @Override
    public List<ParameterSpec> parameters(Shape input) {
      return List.of(
          new ParameterSpec(weightName(), ParameterSpec.Role.WEIGHT, Shape.of(outputs, inputs)),
          new ParameterSpec(biasName(), ParameterSpec.Role.BIAS, Shape.of(outputs)));
    }

    public String weightName() {
      return name + ".weight";
    }

    public String biasName() {
      return name + ".bias";
    }
  }

  /** Rectified linear unit, elementwise. */
  record Relu(String name) implements LayerSpec {
    public Relu {
      Names.requireValid(name);
    }

    @Override
    public Shape outputShape(Shape input) {
      return input;
    }
  }
}
