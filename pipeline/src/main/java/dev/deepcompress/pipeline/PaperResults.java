package dev.deepcompress.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The published figures of Han, Mao, Dally, "Deep Compression", ICLR 2016 (Table 1 and the
 * per-model compression statistics tables), printed beside ours.
 */
record PaperResults(
    String model,
    double referenceErrorPct,
    double compressedErrorPct,
    int referenceKb,
    int compressedKb,
    int ratio,
    List<Layer> layers,
    Layer total) {

  /**
   * One row of the paper's statistics table. "Weight bits" are the codebook index widths, "index
   * bits" the relative-position widths, P pruning, Q quantization, H Huffman coding.
   */
  record Layer(
      String name,
      String weights,
      double keptPct,
      double weightBits,
      double weightBitsHuffman,
      int indexBits,
      double indexBitsHuffman,
      double ratePqPct,
      double ratePqhPct) {}

  private static final Map<String, PaperResults> BY_MODEL =
      Map.of(
          "lenet-300-100",
          new PaperResults(
              "lenet-300-100",
              1.64,
              1.58,
              1070,
              27,
              40,
              List.of(
                  new Layer("ip1", "235K", 8, 6, 4.4, 5, 3.7, 3.1, 2.32),
                  new Layer("ip2", "30K", 9, 6, 4.4, 5, 4.3, 3.8, 3.04),
                  new Layer("ip3", "1K", 26, 6, 4.3, 5, 3.2, 15.7, 12.70)),
              new Layer("total", "266K", 8, 6, 5.1, 5, 3.7, 3.1, 2.49)),
          "lenet-5",
          new PaperResults(
              "lenet-5",
              0.80,
              0.74,
              1720,
              44,
              39,
              List.of(
                  new Layer("conv1", "0.5K", 66, 8, 7.2, 5, 1.5, 78.5, 67.45),
                  new Layer("conv2", "25K", 12, 8, 7.2, 5, 3.9, 6.0, 5.28),
                  new Layer("ip1", "400K", 8, 5, 4.5, 5, 4.5, 2.7, 2.45),
                  new Layer("ip2", "5K", 19, 5, 5.2, 5, 3.7, 6.9, 6.13)),
              new Layer("total", "431K", 8, 5.3, 4.1, 5, 4.4, 3.05, 2.55)));

  static Set<String> models() {
    return new TreeSet<>(BY_MODEL.keySet());
  }

  static Optional<PaperResults> forModel(String model) {
    return Optional.ofNullable(BY_MODEL.get(model));
  }
}
