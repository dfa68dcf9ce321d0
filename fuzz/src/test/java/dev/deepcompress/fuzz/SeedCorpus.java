package dev.deepcompress.fuzz;

import dev.deepcompress.datasets.SampleSet;
import dev.deepcompress.datasets.idx.IdxReader;
import dev.deepcompress.datasets.idx.IdxWriter;
import dev.deepcompress.huffman.EncodedStream;
import dev.deepcompress.huffman.HuffmanStreams;
import dev.deepcompress.onnx.OnnxExporter;
import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.DenseTensor;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.ParameterSpec;
import dev.deepcompress.runtime.model.Preprocessing;
import dev.deepcompress.runtime.model.Shape;
import dev.deepcompress.runtime.model.SparseQuantizedTensor;
import dev.deepcompress.runtime.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the seed corpus of every fuzz target into the test resources, where Jazzer replays it as
 * regression inputs and starts fuzzing from it (docs/fuzzing.md). Deterministic: the same arguments
 * give the same files.
 *
 * <p>Arguments: the resources directory, real compressed model files to include as they are (made
 * with the CLI, see docs/fuzzing.md), then the MNIST test images and labels (IDX) to take a few
 * images from.
 */
public final class SeedCorpus {
  private final Path resources;

  private SeedCorpus(Path resources) {
    this.resources = resources;
  }

  public static void main(String[] args) throws IOException {
    SeedCorpus corpus = new SeedCorpus(Path.of(args[0]));
    for (int i = 1; i < args.length - 2; i++) {
      Path real = Path.of(args[i]);
      corpus.model(real.getFileName().toString(), Files.readAllBytes(real));
    }
    corpus.models();
    corpus.hostile();
    corpus.huffman();
    corpus.idx(Path.of(args[args.length - 2]), Path.of(args[args.length - 1]));
    corpus.numpy(Path.of("../datasets/src/test/resources/numpy"));
  }

  /** The NumPy reader's own fixtures (made by NumPy): archives, and pairs of arrays. */
  private void numpy(Path fixtures) throws IOException {
    for (String archive : List.of("stored.npz", "compressed.npz", "no_labels.npz")) {
      write("NumpyFuzzTest", "npz", archive, Files.readAllBytes(fixtures.resolve(archive)));
    }
    String[][] pairs = {
      {"images_u8.npy", "images_labels_i64.npy"},
      {"vectors_f32.npy", "vectors_labels_u8.npy"},
      {"grey_f32_big_endian.npy", "grey_labels_i16_big_endian.npy"},
      {"fortran_u8.npy", "negative_labels.npy"},
      {"nan_f32.npy", "huge_labels.npy"},
      {"no_samples.npy", "bool_labels.npy"},
    };
    for (String[] pair : pairs) {
      write(
          "NumpyFuzzTest",
          "pair",
          pair[0].replace(".npy", "") + "+" + pair[1].replace(".npy", ""),
          NumpyFuzzTest.pairInput(
              Files.readAllBytes(fixtures.resolve(pair[0])),
              Files.readAllBytes(fixtures.resolve(pair[1]))));
    }
  }

  private Path directory(String target, String method) throws IOException {
    return Files.createDirectories(
        resources.resolve("dev/deepcompress/fuzz/" + target + "Inputs/" + method));
  }

  private void write(String target, String method, String name, byte[] bytes) throws IOException {
    Files.write(directory(target, method).resolve(name), bytes);
  }

  /** A model file as the raw target's seed and, framing undone, as the framed target's. */
  private void model(String name, byte[] file) throws IOException {
    write("ModelFileFuzzTest", "raw", name, file);
    write("ModelFileFuzzTest", "framed", name, SectionFraming.unframe(file));
  }

  /** A model as a .dcmodel seed and, where the exporter takes it, as an ONNX seed. */
  private void model(String name, Model model) throws IOException {
    model(name + ModelFile.EXTENSION, ModelFile.toBytes(model));
    if (name.startsWith("small-") || name.startsWith("padded")) {
      write("OnnxFuzzTest", "model", name + ".onnx", OnnxExporter.toBytes(model));
    }
  }

  /** LeNet-300-100's shape at a seventh of its width on a 7×7 input. */
  static Architecture smallLenet300100() {
    return new Architecture(
        "lenet-300-100",
        Shape.of(1, 7, 7),
        List.of(
            new LayerSpec.FullyConnected("ip1", 49, 12),
            new LayerSpec.Relu("relu1"),
            new LayerSpec.FullyConnected("ip2", 12, 6),
            new LayerSpec.Relu("relu2"),
            new LayerSpec.FullyConnected("ip3", 6, 10)));
  }

  /** LeNet-5's layers (Caffe variant) with fewer channels on a 12×12 input. */
  static Architecture smallLenet5() {
    return new Architecture(
        "lenet-5",
        Shape.of(1, 12, 12),
        List.of(
            new LayerSpec.Convolution("conv1", 1, 4, 5, 1, 0),
            new LayerSpec.MaxPool("pool1", 2, 2),
            new LayerSpec.Convolution("conv2", 4, 6, 3, 1, 0),
            new LayerSpec.MaxPool("pool2", 2, 2),
            new LayerSpec.FullyConnected("ip1", 6, 8),
            new LayerSpec.Relu("relu1"),
            new LayerSpec.FullyConnected("ip2", 8, 10)));
  }

  /** Kinds' edge cases: padding and stride, and pooling whose last windows are clipped. */
  static Architecture paddedConvolution() {
    return new Architecture(
        "padded",
        Shape.of(2, 5, 5),
        List.of(
            new LayerSpec.Convolution("conv", 2, 3, 3, 2, 1),
            new LayerSpec.Relu("relu"),
            new LayerSpec.MaxPool("pool", 2, 2),
            new LayerSpec.FullyConnected("fc", 12, 2)));
  }

  private static Map<String, Tensor> dense(Architecture architecture, Random random) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : architecture.parameters()) {
      float[] values = new float[spec.shape().elementCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian() * 0.3f;
      }
      tensors.put(spec.name(), new DenseTensor(spec.shape(), values));
    }
    return tensors;
  }

  /**
   * Weights pruned to {@code kept} of their elements and quantized to {@code 2^indexBits} levels,
   * stored sparse with the given gap width; biases dense.
   */
  private static Map<String, Tensor> sparse(
      Architecture architecture, Random random, double kept, int indexBits, int gapBits) {
    Map<String, Tensor> tensors = dense(architecture, random);
    for (ParameterSpec spec : architecture.parameters()) {
      if (spec.role() != ParameterSpec.Role.WEIGHT) {
        continue;
      }
      float[] values = ((DenseTensor) tensors.get(spec.name())).values().clone();
      int levels = 1 << indexBits;
      for (int i = 0; i < values.length; i++) {
        values[i] =
            random.nextDouble() < kept
                ? (Math.floorMod(Math.round(values[i] * levels), levels) + 1) / (float) levels
                : 0;
      }
      tensors.put(spec.name(), SparseQuantizedTensor.fromDense(spec, values, indexBits, gapBits));
    }
    return tensors;
  }

  private static SparseQuantizedTensor empty(Shape shape) {
    return new SparseQuantizedTensor(shape, new float[0], new int[0], new byte[0], 1, 1);
  }

  private void models() throws IOException {
    Random random = new Random(14);
    Architecture fc = smallLenet300100();
    Architecture conv = smallLenet5();
    Architecture padded = paddedConvolution();
    model("small-lenet-300-100-dense", Model.ofTensors(fc, dense(fc, random), Map.of()));
    model(
        "small-lenet-300-100-sparse",
        Model.ofTensors(
                fc, sparse(fc, random, 0.3, 3, 2), Map.of("dataset", "mnist", "note", "β = 0.5"))
            .withPreprocessing(Preprocessing.scaled(Preprocessing.Layout.FLAT, 1 / 256f)));
    model("small-lenet-5-dense", Model.ofTensors(conv, dense(conv, random), Map.of()));
    // conv1 above the density at which the runtime decodes it for GEMM, conv2 below it.
    Map<String, Tensor> mixed = sparse(conv, random, 0.15, 4, 3);
    String conv1 = conv.parameters().get(0).name();
    mixed.put(conv1, sparse(conv, random, 0.9, 2, 5).get(conv1));
    model(
        "small-lenet-5-sparse",
        Model.ofTensors(conv, mixed, Map.of())
            .withPreprocessing(
                Preprocessing.of(
                    Preprocessing.Layout.CHANNELS_FIRST,
                    1 / 255f,
                    new float[] {0.1307f},
                    new float[] {0.3081f})));
    model(
        "padded-convolution", Model.ofTensors(padded, sparse(padded, random, 0.5, 1, 1), Map.of()));

    // Edge cases of the sparse encoding: nothing stored; one stored element (one-symbol codes);
    // one-bit gaps, so long runs of zeros are many fillers.
    LayerSpec.FullyConnected layer = new LayerSpec.FullyConnected("fc", 40, 3);
    Architecture single = new Architecture("edge", Shape.of(40), List.of(layer));
    model(
        "nothing-stored",
        Model.ofTensors(
            single,
            Map.of(
                layer.weightName(), empty(Shape.of(3, 40)), layer.biasName(), empty(Shape.of(3))),
            Map.of()));
    float[] one = new float[120];
    one[77] = -1.5f;
    ParameterSpec weight = single.parameters().get(0);
    model(
        "one-stored",
        Model.ofTensors(
            single,
            Map.of(
                layer.weightName(),
                SparseQuantizedTensor.fromDense(weight, one, 1, 8),
                layer.biasName(),
                new DenseTensor(Shape.of(3), new float[] {0, -0f, 1e-38f})),
            Map.of()));
    float[] far = new float[120];
    far[0] = 1;
    far[119] = 2;
    model(
        "fillers",
        Model.ofTensors(
            single,
            Map.of(
                layer.weightName(), SparseQuantizedTensor.fromDense(weight, far, 2, 1),
                layer.biasName(), empty(Shape.of(3))),
            Map.of("", "")));

    // Stored weights in runs whose indices drift by a step: the writer splits the indices by
    // their left neighbour's (encoding 3).
    LayerSpec.FullyConnected wide = new LayerSpec.FullyConnected("fc", 120, 20);
    Architecture smooth = new Architecture("smooth", Shape.of(120), List.of(wide));
    float[] drifting = new float[20 * 120];
    int level = 8;
    for (int i = 0; i < drifting.length; i++) {
      if (random.nextInt(3) > 0) {
        level = Math.clamp(level + random.nextInt(3) - 1, 1, 16);
        drifting[i] = level / 16f;
      }
    }
    model(
        "context-indices",
        Model.ofTensors(
            smooth,
            Map.of(
                wide.weightName(),
                SparseQuantizedTensor.fromDense(smooth.parameters().get(0), drifting, 4, 2),
                wide.biasName(),
                empty(Shape.of(20))),
            Map.of()));
  }

  /** A framed-target input: minor version 1, then ARCH and END records. */
  private static byte[] archOnly(ByteBuffer arch) {
    byte[] payload = Arrays.copyOf(arch.array(), arch.position());
    ByteBuffer input = ByteBuffer.allocate(2 + 9 + payload.length + 9 + 8);
    input.order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1);
    input.put("ARCH".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(payload.length);
    input.put(payload);
    input.put("END ".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).putInt(8).putLong(1);
    return input.array();
  }

  private static ByteBuffer arch(int... inputShape) {
    ByteBuffer arch = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    arch.putShort((short) 1).put((byte) 'a').put((byte) inputShape.length);
    for (int d : inputShape) {
      arch.putInt(d);
    }
    return arch.putInt(1);
  }

  /** The hostile files of issue #14, which once escaped the reader's error handling. */
  private void hostile() throws IOException {
    // A fully connected layer of 100 × 21,474,837 weights: one row more than fits an int.
    ByteBuffer fc = arch(100).put((byte) 1).putShort((short) 1).put((byte) 'f');
    hostile("issue14-fc-weights-overflow", archOnly(fc.putInt(100).putInt(21_474_837)));
    // A 46,341-wide kernel, whose 2,147,488,281 weights overflow too, on a padded 1×1 image.
    ByteBuffer conv = arch(1, 1, 1).put((byte) 3).putShort((short) 1).put((byte) 'c');
    conv.putInt(1).putInt(1).putInt(46_341).putInt(1).putInt(23_170);
    hostile("issue14-conv-weights-overflow", archOnly(conv));
    // 2³¹−1 outputs, weight and bias stored sparse with nothing in them: a few hundred bytes.
    LayerSpec.FullyConnected huge = new LayerSpec.FullyConnected("fc", 1, Integer.MAX_VALUE);
    model(
        "issue14-huge-empty-layer",
        Model.ofTensors(
            new Architecture("huge", Shape.of(1), List.of(huge)),
            Map.of(
                huge.weightName(), empty(Shape.of(Integer.MAX_VALUE, 1)),
                huge.biasName(), empty(Shape.of(Integer.MAX_VALUE))),
            Map.of()));
    // A NaN bias, which the writer refuses to write: patched into a valid file's last tensor.
    LayerSpec.FullyConnected layer = new LayerSpec.FullyConnected("fc", 2, 1);
    Model tiny =
        new Model(
            new Architecture("tiny", Shape.of(2), List.of(layer)),
            Map.of(layer.weightName(), new float[] {1, 2}, layer.biasName(), new float[] {3}),
            Map.of());
    byte[] input = SectionFraming.unframe(ModelFile.toBytes(tiny));
    // The bias's value is the last 4 bytes before the END record (9 bytes of header, 8 of counts).
    ByteBuffer.wrap(input)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putFloat(input.length - 17 - 4, Float.NaN);
    hostile("issue14-nan-bias", input);
  }

  private void hostile(String name, byte[] framedInput) throws IOException {
    write("ModelFileFuzzTest", "framed", name, framedInput);
    write("ModelFileFuzzTest", "raw", name, SectionFraming.frame(framedInput));
  }

  private void huffman() throws IOException {
    Random random = new Random(15);
    Map<String, EncodedStream> streams = new LinkedHashMap<>();
    int[] skewed = new int[500];
    for (int i = 0; i < skewed.length; i++) {
      skewed[i] = (int) Math.min(31, Math.abs(random.nextGaussian()) * 6);
    }
    streams.put("skewed-32", HuffmanStreams.encode(skewed, 32));
    streams.put("uniform-4", HuffmanStreams.encode(random.ints(64, 0, 4).toArray(), 4));
    streams.put("one-symbol", HuffmanStreams.encode(new int[] {5, 5, 5}, 8));
    streams.put("no-symbols", HuffmanStreams.encode(new int[0], 8));
    // Fibonacci frequencies give the longest codes, limited to 15 bits.
    int[] fibonacci = new int[0];
    for (int s = 0, a = 1, b = 1; s < 18; s++, b = a + (a = b)) {
      int from = fibonacci.length;
      fibonacci = Arrays.copyOf(fibonacci, from + a);
      Arrays.fill(fibonacci, from, fibonacci.length, s);
    }
    streams.put("longest-codes", HuffmanStreams.encode(fibonacci, 256));
    for (Map.Entry<String, EncodedStream> entry : streams.entrySet()) {
      EncodedStream stream = entry.getValue();
      ByteBuffer bytes = ByteBuffer.allocate((int) stream.serializedSize());
      stream.writeTo(bytes);
      write("HuffmanFuzzTest", "stream", entry.getKey(), bytes.array());
      ByteBuffer table = ByteBuffer.allocate(stream.code().serializedSize());
      stream.code().writeTo(table);
      write("HuffmanFuzzTest", "codeLengths", entry.getKey(), table.array());
    }
  }

  /** The first three MNIST test images and labels, plain and gzip; and an empty image file. */
  private void idx(Path images, Path labels) throws IOException {
    SampleSet mnist = IdxReader.readImageSet(images, labels, 10).subset(0, 3);
    SampleSet none = mnist.subset(0, 0);
    Path scratch = Files.createTempFile("seed", ".idx");
    try {
      for (boolean gzip : new boolean[] {false, true}) {
        String suffix = gzip ? ".gz" : "";
        IdxWriter.writeImages(scratch, mnist, gzip);
        write("IdxFuzzTest", "images", "mnist-3" + suffix, Files.readAllBytes(scratch));
        IdxWriter.writeLabels(scratch, mnist, gzip);
        write("IdxFuzzTest", "labels", "mnist-3" + suffix, Files.readAllBytes(scratch));
      }
      IdxWriter.writeImages(scratch, none, false);
      write("IdxFuzzTest", "images", "no-images", Files.readAllBytes(scratch));
    } finally {
      Files.delete(scratch);
    }
  }
}
