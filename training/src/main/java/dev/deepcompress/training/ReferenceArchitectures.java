package dev.deepcompress.training;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The networks the paper compresses, by the names the command line uses. */
public final class ReferenceArchitectures {
  private static final Map<String, Supplier<Architecture>> BY_NAME =
      Map.of(
          "lenet-300-100", ReferenceArchitectures::lenet300100,
          "lenet-5", ReferenceArchitectures::lenet5);

  private ReferenceArchitectures() {}

  /**
   * The scale of the LeNets' pixel values (0-255), as Caffe's LeNet examples scale MNIST. A power
   * of two, so each input is exactly pixel / 256.
   */
  public static final float PIXEL_SCALE = 1f / 256;

  /** How both LeNets take their input: 1×28×28 images, pixel values times {@link #PIXEL_SCALE}. */
  public static Preprocessing pixelScaling() {
    return Preprocessing.scaled(Preprocessing.Layout.CHANNELS_FIRST, PIXEL_SCALE);
  }

  /** LeNet-300-100: 784-300-100-10 fully connected with ReLU (Caffe's lenet_300_100). */
  public static Architecture lenet300100() {
    return new Architecture(
        "lenet-300-100",
        Shape.of(1, 28, 28),
        List.of(
            new LayerSpec.FullyConnected("ip1", 784, 300),
            new LayerSpec.Relu("relu1"),
            new LayerSpec.FullyConnected("ip2", 300, 100),
            new LayerSpec.Relu("relu2"),
            new LayerSpec.FullyConnected("ip3", 100, 10)));
  }

  /**
   * LeNet-5 as in Caffe's lenet_train_test.prototxt: conv 20@5×5 → max pool 2 → conv 50@5×5 → max
   * pool 2 → fc 500 → ReLU → fc 10, no ReLU after the convolutions; 431,080 parameters.
   */
  public static Architecture lenet5() {
    return new Architecture(
        "lenet-5",
        Shape.of(1, 28, 28),
        List.of(
            new LayerSpec.Convolution("conv1", 1, 20, 5, 1, 0),
            new LayerSpec.MaxPool("pool1", 2, 2),
            new LayerSpec.Convolution("conv2", 20, 50, 5, 1, 0),
            new LayerSpec.MaxPool("pool2", 2, 2),
            new LayerSpec.FullyConnected("ip1", 800, 500),
            new LayerSpec.Relu("relu1"),
            new LayerSpec.FullyConnected("ip2", 500, 10)));
  }

  public static Architecture byName(String name) {
    Supplier<Architecture> supplier = BY_NAME.get(name);
    if (supplier == null) {
      throw new IllegalArgumentException(
          "unknown model '"
              + name
              + "'; known: "
              + names().stream().collect(Collectors.joining(", ")));
    }
    return supplier.get();
  }

  public static List<String> names() {
    return BY_NAME.keySet().stream().sorted().toList();
  }
}
