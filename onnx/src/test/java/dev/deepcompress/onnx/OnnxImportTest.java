package dev.deepcompress.onnx;

import static dev.deepcompress.onnx.HandMadeModels.BATCH;
import static dev.deepcompress.onnx.HandMadeModels.dim;
import static dev.deepcompress.onnx.HandMadeModels.gaussian;
import static dev.deepcompress.onnx.HandMadeModels.model;
import static dev.deepcompress.onnx.HandMadeModels.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.runtime.format.ModelFile;
import dev.deepcompress.runtime.inference.InferenceNetwork;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hand-made ONNX graphs of every supported operator: ONNX Runtime running the original file and the
 * runtime running the import agree. And every kind of file that cannot be imported gives one clear
 * line.
 */
class OnnxImportTest {

  private static Model imported(byte[] bytes) throws OnnxImportException {
    return OnnxImporter.fromBytes(bytes, "hand.onnx", "hand.onnx", "hand");
  }

  private static float[] logSoftmax(float[] logits, int batch) {
    int width = logits.length / batch;
    float[] result = new float[logits.length];
    for (int row = 0; row < batch; row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < width; j++) {
        max = Math.max(max, logits[row * width + j]);
      }
      double sum = 0;
      for (int j = 0; j < width; j++) {
        sum += Math.exp(logits[row * width + j] - max);
      }
      for (int j = 0; j < width; j++) {
        result[row * width + j] = (float) (logits[row * width + j] - max - Math.log(sum));
      }
    }
    return result;
  }

  /**
   * PyTorch-style names and operators: Conv with padding, Relu, MaxPool and AveragePool whose
   * windows tile the input, Identity, Dropout with an explicit inference mode, a Reshape to [-1,
   * 48] from a Constant, MatMul + Add, Gemm with transB 0, alpha and beta, and LogSoftmax.
   */
  private static byte[] everyOperator(Random random) {
    OnnxGraphBuilder graph =
        new OnnxGraphBuilder("every-op")
            .input("x", BATCH, dim(1), dim(10), dim(10))
            .output("y", BATCH, dim(4))
            .initializer("features.conv.weight", gaussian(random, 3 * 9), 3, 1, 3, 3)
            .initializer("features.conv.bias", gaussian(random, 3), 3)
            .initializer("onnx::MatMul_20", gaussian(random, 48 * 6), 48, 6)
            .initializer("fc1.bias", gaussian(random, 6), 6)
            .initializer("fc2.weight", gaussian(random, 6 * 4), 6, 4)
            .initializer("fc2.bias", gaussian(random, 4), 4)
            .initializer(
                HandMadeModels.rawTensor(
                    "training_mode", OnnxFields.Tensor.TYPE_BOOL, new byte[] {0}))
            .node(
                "Conv",
                "/features/conv/Conv",
                names("x", "features.conv.weight", "features.conv.bias"),
                names("c"),
                OnnxGraphBuilder.integers("kernel_shape", 3, 3),
                OnnxGraphBuilder.integers("pads", 1, 1, 1, 1),
                OnnxGraphBuilder.integers("strides", 1, 1),
                OnnxGraphBuilder.integers("dilations", 1, 1),
                OnnxGraphBuilder.integer("group", 1))
            .node("Relu", "/features/relu/Relu", names("c"), names("r"))
            .node(
                "MaxPool",
                "/features/pool/MaxPool",
                names("r"),
                names("p"),
                OnnxGraphBuilder.integers("kernel_shape", 2, 2),
                OnnxGraphBuilder.integers("strides", 2, 2),
                OnnxGraphBuilder.integers("pads", 0, 0, 0, 0))
            .node(
                "AveragePool",
                "",
                names("p"),
                names("a"),
                OnnxGraphBuilder.integers("kernel_shape", 2, 2),
                OnnxGraphBuilder.integers("strides", 1, 1))
            .node("Identity", "/Identity", names("a"), names("i"))
            .node("Dropout", "/Dropout", names("i", "", "training_mode"), names("d", "mask"));
    HandMadeModels.constant(graph, "shape", HandMadeModels.int64Tensor("", -1, 48));
    graph
        .node("Reshape", "/Reshape", names("d", "shape"), names("flat"))
        .node("MatMul", "/fc1/MatMul", names("flat", "onnx::MatMul_20"), names("m"))
        .node("Add", "/fc1/Add", names("fc1.bias", "m"), names("h"))
        .node("Relu", "/relu/Relu", names("h"), names("h2"))
        .node(
            "Gemm",
            "/fc2/Gemm",
            names("h2", "fc2.weight", "fc2.bias"),
            names("logits"),
            HandMadeModels.floating("alpha", 0.5f),
            HandMadeModels.floating("beta", 2f))
        .node("LogSoftmax", "/LogSoftmax", names("logits"), names("y"));
    return model(graph, 13);
  }

  @Test
  void everySupportedOperatorImportsAndComputesWhatOnnxRuntimeComputes() throws Exception {
    byte[] bytes = everyOperator(new Random(1));
    Model model = imported(bytes);
    assertEquals(
        List.of(
            new LayerSpec.Convolution("features.conv", 1, 3, 3, 1, 1),
            new LayerSpec.Relu("features.relu"),
            new LayerSpec.MaxPool("features.pool", 2, 2),
            new LayerSpec.AveragePool("pool1", 2, 1),
            new LayerSpec.FullyConnected("fc1", 48, 6),
            new LayerSpec.Relu("relu"),
            new LayerSpec.FullyConnected("fc2", 6, 4)),
        model.architecture().layers());
    assertEquals(Shape.of(1, 10, 10), model.architecture().inputShape());
    assertEquals("LogSoftmax", model.metadata().get(OnnxImporter.OUTPUT_ACTIVATION));
    assertEquals("x", model.metadata().get(OnnxImporter.INPUT_NAME));
    assertEquals("y", model.metadata().get(OnnxImporter.OUTPUT_NAME));
    assertEquals("13", model.metadata().get(OnnxImporter.OPSET));

    int batch = 6;
    float[] inputs = gaussian(new Random(2), batch * 100);
    float[] ours = logSoftmax(InferenceNetwork.of(model).forward(inputs, batch), batch);
    OnnxRuntimeOracle.assertAgree(
        OnnxRuntimeOracle.run(bytes, inputs, batch, 1, 10, 10), ours, batch, "every operator");
    // The import survives the .dcmodel file.
    Model read = ModelFile.fromBytes(ModelFile.toBytes(model), "dcmodel");
    assertEquals(model.architecture(), read.architecture());
  }

  /**
   * Opset 11 as older exporters write it: Flatten, Gemm with transB 1 and a [1, N] bias, Conv
   * without bias and with stride 2, Reshape [0, -1] from an initializer, a MaxPool whose clipped
   * last window ONNX asks for with ceil_mode, Softmax with opset 11's default axis.
   */
  @Test
  void opset11ModelsImportToo() throws Exception {
    Random random = new Random(3);
    OnnxGraphBuilder graph =
        new OnnxGraphBuilder("opset11")
            .input("image", BATCH, dim(2), dim(9), dim(9))
            .output("probabilities", BATCH, dim(3))
            .initializer("conv.weight", gaussian(random, 4 * 2 * 9), 4, 2, 3, 3)
            .initializer("ip.weight", gaussian(random, 3 * 4 * 2 * 2), 3, 16)
            .initializer("ip.bias", gaussian(random, 3), 1, 3)
            .initializer(HandMadeModels.int64Tensor("flat_shape", 0, -1))
            .node(
                "Conv",
                "Conv_0",
                names("image", "conv.weight"),
                names("c"),
                OnnxGraphBuilder.integers("strides", 2, 2))
            .node(
                "MaxPool",
                "MaxPool_1",
                names("c"),
                names("p"),
                OnnxGraphBuilder.integers("kernel_shape", 2, 2),
                OnnxGraphBuilder.integers("strides", 2, 2),
                OnnxGraphBuilder.integer("ceil_mode", 1))
            .node("Reshape", "Reshape_2", names("p", "flat_shape"), names("r"))
            .node("Flatten", "Flatten_3", names("r"), names("f"))
            .node(
                "Gemm",
                "Gemm_4",
                names("f", "ip.weight", "ip.bias"),
                names("logits"),
                OnnxGraphBuilder.integer("transB", 1))
            .node("Softmax", "Softmax_5", names("logits"), names("probabilities"));
    byte[] bytes = model(graph, 11);
    Model model = imported(bytes);
    // 9 → conv stride 2 → 4 → pool 2/2 → 2; conv output 4×4: no clipped window here, but the
    // ceil_mode flag must not change an exact tiling.
    assertEquals(
        List.of(
            new LayerSpec.Convolution("conv", 2, 4, 3, 2, 0),
            new LayerSpec.MaxPool("MaxPool_1", 2, 2),
            new LayerSpec.FullyConnected("ip", 16, 3)),
        model.architecture().layers());
    int batch = 5;
    float[] inputs = gaussian(new Random(4), batch * 2 * 81);
    float[] logits = InferenceNetwork.of(model).forward(inputs, batch);
    float[] probabilities = logSoftmax(logits, batch);
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = (float) Math.exp(probabilities[i]);
    }
    OnnxRuntimeOracle.assertAgree(
        OnnxRuntimeOracle.run(bytes, inputs, batch, 2, 9, 9), probabilities, batch, "opset 11");
  }

  @Test
  void aClippedPoolingWindowIsImportedWhereOnnxAsksForItWithCeilMode() throws Exception {
    byte[] bytes = pooled(5, 1);
    Model model = imported(bytes);
    assertEquals(Shape.of(1, 3, 3), model.architecture().outputShape());
    float[] inputs = gaussian(new Random(5), 2 * 25);
    OnnxRuntimeOracle.assertAgree(
        OnnxRuntimeOracle.run(bytes, inputs, 2, 1, 5, 5),
        InferenceNetwork.of(model).forward(inputs, 2),
        2,
        "ceil mode");
  }

  /** [N, 1, size, size] max-pooled 2/2 with the given ceil_mode. */
  private static byte[] pooled(int size, int ceilMode) {
    int out = ceilMode == 1 ? (size - 1) / 2 + 1 : (size - 2) / 2 + 1;
    return model(
        new OnnxGraphBuilder("pool")
            .input("x", BATCH, dim(1), dim(size), dim(size))
            .output("y", BATCH, dim(1), dim(out), dim(out))
            .node(
                "MaxPool",
                "pool",
                names("x"),
                names("y"),
                OnnxGraphBuilder.integers("kernel_shape", 2, 2),
                OnnxGraphBuilder.integers("strides", 2, 2),
                OnnxGraphBuilder.integer("ceil_mode", ceilMode)),
        13);
  }

  // ---- what cannot be imported: one line naming the file and, where there is one, the node

  private static String assertRejected(byte[] bytes, String... fragments) {
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> imported(bytes));
    String message = e.getMessage();
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(message.startsWith("hand.onnx: "), message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), "'" + fragment + "' not in: " + message);
    }
    return message;
  }

  /** [N, features] → Gemm "/ip1/Gemm" (transB 1, weight {@code weight}) → {@code output}. */
  private static OnnxGraphBuilder gemm(int features, ProtoMessage weight, String output) {
    return new OnnxGraphBuilder("g")
        .input("x", BATCH, dim(features))
        .output("y", BATCH, dim(3))
        .initializer(weight)
        .node(
            "Gemm",
            "/ip1/Gemm",
            names("x", "ip1.weight"),
            names(output),
            OnnxGraphBuilder.integer("transB", 1));
  }

  /** ip1.weight, 3×4 float32. */
  private static final ProtoMessage WEIGHT =
      HandMadeModels.rawTensor("ip1.weight", OnnxFields.Tensor.TYPE_FLOAT, new byte[48], 3, 4);

  /** [N, 4] → Gemm(ip1) → {@code opType} named "act" → y. */
  private static byte[] withActivation(String opType) {
    return model(gemm(4, WEIGHT, "h").node(opType, "act", names("h"), names("y")), 13);
  }

  @Test
  void anUnsupportedOperatorIsNamedWithTheSupportedList() {
    assertRejected(
        withActivation("Sigmoid"),
        "node 'act' (Sigmoid)",
        "does not import",
        "supported: Conv, Gemm, MatMul, Add, MaxPool, AveragePool, Relu, Flatten, Reshape,"
            + " Constant, Identity, Dropout, Softmax, LogSoftmax");
  }

  @Test
  void aTruncatedFileIsRejected() throws Exception {
    byte[] whole = everyOperator(new Random(6));
    for (int length : new int[] {whole.length / 2, whole.length - 1, 3}) {
      assertRejected(Arrays.copyOf(whole, length), "truncated", "of " + length);
    }
  }

  @Test
  void aTensorDeclaringMoreThanItHoldsIsRejectedBeforeAnythingIsAllocated() {
    OnnxGraphBuilder huge =
        new OnnxGraphBuilder("g")
            .input("x", BATCH, dim(4))
            .output("y", BATCH, dim(3))
            .initializer(
                HandMadeModels.rawTensor(
                    "ip1.weight", OnnxFields.Tensor.TYPE_FLOAT, new byte[48], 1 << 20, 1 << 20));
    assertRejected(model(huge, 13), "tensor 'ip1.weight'", "more than 2147483647 elements");
    OnnxGraphBuilder short_ =
        new OnnxGraphBuilder("g")
            .input("x", BATCH, dim(4))
            .output("y", BATCH, dim(3))
            .initializer(
                HandMadeModels.rawTensor(
                    "ip1.weight", OnnxFields.Tensor.TYPE_FLOAT, new byte[48], 100_000, 10_000));
    assertRejected(
        model(short_, 13),
        "tensor 'ip1.weight'",
        "100000×10000",
        "needs 4000000000 bytes of raw data, but holds 48");
  }

  @Test
  void whatIsNotOnnxIsRejected() {
    assertRejected(
        "deepcompress is not ONNX\n".getBytes(StandardCharsets.UTF_8), "not a valid ONNX file");
    assertRejected(new byte[0], "not a valid ONNX file", "no graph");
    // A million nested protobuf groups would take a recursive skip into a stack overflow.
    byte[] groups = new byte[1_000_000];
    Arrays.fill(groups, (byte) 0x3B); // field 7 (the graph), wire type 3: start of a group
    assertRejected(groups, "field 7 is a protobuf group", "byte 1");
    // Field 1 (ir_version) as a length-delimited field: the wrong wire type.
    assertRejected(new byte[] {0x0A, 0x01, 0x00}, "field 1 has wire type 2");
    assertRejected(
        ModelFile.toBytes(OnnxExportTest.gaussian(OnnxExportTest.CONVOLUTIONAL, 1, Map.of())),
        "not a valid ONNX file");
  }

  /**
   * Damaged files (bytes changed, removed or inserted at random) either import into a model that
   * runs or give the one-line error: never another exception, never a huge allocation.
   */
  @Test
  void damagedFilesGiveTheErrorOrAModelThatRuns() throws Exception {
    byte[] original = everyOperator(new Random(8));
    Random random = new Random(9);
    int imported = 0;
    for (int trial = 0; trial < 1000; trial++) {
      byte[] damaged = original.clone();
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(damaged.length);
        switch (random.nextInt(3)) {
          case 0 -> damaged[at] = (byte) random.nextInt(256);
          case 1 -> {
            byte[] shorter = new byte[damaged.length - 1];
            System.arraycopy(damaged, 0, shorter, 0, at);
            System.arraycopy(damaged, at + 1, shorter, at, shorter.length - at);
            damaged = shorter;
          }
          default -> {
            byte[] longer = new byte[damaged.length + 1];
            System.arraycopy(damaged, 0, longer, 0, at);
            longer[at] = (byte) random.nextInt(256);
            System.arraycopy(damaged, at, longer, at + 1, damaged.length - at);
            damaged = longer;
          }
        }
      }
      Model model;
      try {
        model = imported(damaged);
      } catch (OnnxImportException e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        continue;
      }
      imported++;
      InferenceNetwork network = InferenceNetwork.of(model);
      network.forward(new float[network.inputSize()], 1);
    }
    assertTrue(imported > 0, "some damage (in weights, say) leaves a valid model");
  }

  @Test
  void externalDataAndNonFloatWeightsAreRejected() {
    ProtoMessage external =
        new ProtoMessage()
            .int64(OnnxFields.Tensor.DIMS, 3)
            .int64(OnnxFields.Tensor.DIMS, 4)
            .int64(OnnxFields.Tensor.DATA_TYPE, OnnxFields.Tensor.TYPE_FLOAT)
            .string(OnnxFields.Tensor.NAME, "ip1.weight")
            .message(
                OnnxFields.Tensor.EXTERNAL_DATA,
                new ProtoMessage()
                    .string(OnnxFields.StringStringEntry.KEY, "location")
                    .string(OnnxFields.StringStringEntry.VALUE, "weights.bin"))
            .int64(OnnxFields.Tensor.DATA_LOCATION, OnnxFields.Tensor.LOCATION_EXTERNAL);
    assertRejected(
        model(gemm(4, external, "y"), 13),
        "node '/ip1/Gemm' (Gemm)",
        "'ip1.weight'",
        "external data");
    int doubleType = 11;
    assertRejected(
        model(
            gemm(
                4, HandMadeModels.rawTensor("ip1.weight", doubleType, new byte[8 * 12], 3, 4), "y"),
            13),
        "node '/ip1/Gemm' (Gemm)",
        "data type 11",
        "only float32");
  }

  @Test
  void shapesThatDoNotChainAreRejected() {
    byte[] mismatched = model(gemm(5, WEIGHT, "y"), 13);
    assertRejected(mismatched, "node '/ip1/Gemm' (Gemm)", "weight of shape 3×4", "batch×5");
    byte[] unflattened =
        model(
            new OnnxGraphBuilder("g")
                .input("x", BATCH, dim(1), dim(2), dim(2))
                .output("y", BATCH, dim(3))
                .initializer("ip1.weight", new float[12], 3, 4)
                .node("Gemm", "/ip1/Gemm", names("x", "ip1.weight"), names("y")),
            13);
    assertRejected(unflattened, "(Gemm)", "batch×1×2×2", "a Flatten must come first");
  }

  @Test
  void poolingWhoseOnnxSizeRoundsDownWhereTheRuntimesRoundsUpIsRejected() throws Exception {
    assertRejected(
        pooled(5, 0), "node 'pool' (MaxPool)", "into 2 along the height", "rounds down", "gives 3");
    assertEquals(Shape.of(1, 3, 3), imported(pooled(6, 0)).architecture().outputShape());
  }

  @Test
  void convolutionsTheRuntimeCannotRunAreRejected() {
    assertRejected(
        conv(4, new long[] {2, 2, 3, 3}, OnnxGraphBuilder.integer("group", 2)), "group 2");
    assertRejected(
        conv(2, new long[] {2, 2, 3, 3}, OnnxGraphBuilder.integers("pads", 0, 0, 1, 1)),
        "pads [0, 0, 1, 1]",
        "all four sides alike");
    assertRejected(conv(2, new long[] {2, 2, 3, 5}), "3×5 kernel", "square kernel");
    assertRejected(
        conv(2, new long[] {2, 2, 3, 3}, OnnxGraphBuilder.integers("dilations", 2, 2)),
        "dilations [2, 2]");
    assertRejected(
        conv(2, new long[] {2, 2, 3, 3}, OnnxGraphBuilder.integers("strides", 1, 2)),
        "strides [1, 2]");
    assertRejected(
        conv(2, new long[] {2, 2, 3, 3}, HandMadeModels.text("auto_pad", "SAME_UPPER")),
        "auto_pad SAME_UPPER");
    assertRejected(
        conv(2, new long[] {2, 2, 3, 3}, OnnxGraphBuilder.integer("unknown", 2)),
        "attribute 'unknown'");
  }

  /** [N, channels, 8, 8] → Conv named "conv" with the given weight shape and attributes. */
  private static byte[] conv(
      int channels, long[] weight, OnnxGraphBuilder.Attribute... attributes) {
    int count = (int) (weight[0] * weight[1] * weight[2] * weight[3]);
    return model(
        new OnnxGraphBuilder("g")
            .input("x", BATCH, dim(channels), dim(8), dim(8))
            .output("y", BATCH, dim(weight[0]), OnnxGraphBuilder.Dim.symbolic("h"), dim(6))
            .initializer("w", new float[count], weight)
            .node("Conv", "conv", names("x", "w"), names("y"), attributes),
        13);
  }

  @Test
  void opsetsOutsideTheSupportedRangeAreRejected() {
    OnnxGraphBuilder relu =
        new OnnxGraphBuilder("g")
            .input("x", BATCH, dim(4))
            .output("y", BATCH, dim(4))
            .node("Relu", "r", names("x"), names("y"));
    assertRejected(model(relu, 9), "opset 9 is not supported", "from 11 to 17");
    assertRejected(model(relu, 18), "opset 18 is not supported");
  }

  @Test
  void graphsThatAreNotASingleChainAreRejected() {
    byte[] branching =
        model(
            new OnnxGraphBuilder("g")
                .input("x", BATCH, dim(4))
                .output("y", BATCH, dim(4))
                .node("Relu", "a", names("x"), names("h"))
                .node("Relu", "b", names("x"), names("y")),
            13);
    assertRejected(branching, "node 'b' (Relu)", "reads 'x'", "single chain");
    byte[] residual =
        model(
            new OnnxGraphBuilder("g")
                .input("x", BATCH, dim(4))
                .output("y", BATCH, dim(4))
                .node("Relu", "a", names("x"), names("h"))
                .node("Add", "sum", names("h", "x"), names("y")),
            13);
    assertRejected(residual, "node 'sum' (Add)", "only as the bias of a MatMul");
    assertRejected(
        model(
            new OnnxGraphBuilder("g")
                .input("x", BATCH, dim(4))
                .output("y", BATCH, dim(4))
                .node("Softmax", "s", names("x"), names("h"))
                .node("Relu", "a", names("h"), names("y")),
            13),
        "node 'a' (Relu)",
        "must end the graph");
  }

  @Test
  void onlyTheBatchDimensionMayBeSymbolic() {
    byte[] symbolic =
        model(
            new OnnxGraphBuilder("g")
                .input("x", BATCH, OnnxGraphBuilder.Dim.symbolic("features"))
                .output("y", BATCH, dim(4))
                .node("Relu", "r", names("x"), names("y")),
            13);
    assertRejected(symbolic, "input 'x'", "only the batch dimension");
  }

  @Test
  void reshapesThatDoMoreThanFlattenAreRejected() {
    OnnxGraphBuilder graph =
        new OnnxGraphBuilder("g")
            .input("x", BATCH, dim(2), dim(3), dim(4))
            .output("y", BATCH, dim(6), dim(4))
            .initializer(HandMadeModels.int64Tensor("s", -1, 6, 4))
            .node("Reshape", "reshape", names("x", "s"), names("y"));
    assertRejected(model(graph, 13), "node 'reshape' (Reshape)", "[-1, 6, 4]", "[batch, 24]");
  }
}
