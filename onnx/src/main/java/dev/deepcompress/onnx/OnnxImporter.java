package dev.deepcompress.onnx;

import dev.deepcompress.runtime.model.Architecture;
import dev.deepcompress.runtime.model.LayerSpec;
import dev.deepcompress.runtime.model.Model;
import dev.deepcompress.runtime.model.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps an ONNX model onto the runtime's one architecture description: a single chain of layers from
 * one input to one output, with the weights taken from the graph's initializers (or {@code
 * Constant} nodes). The operators and attributes the runtime can run exactly are accepted at the
 * opsets {@value #MIN_OPSET}–{@value #MAX_OPSET} (those PyTorch 1.13 emits); everything else is
 * rejected with one line naming the node, its operator type and the reason.
 *
 * <ul>
 *   <li>{@code Conv}: 2-D, group 1, dilation 1, square kernel, the same stride on both axes and the
 *       same padding on all four sides.
 *   <li>{@code Gemm} (transA 0, any transB, alpha and beta folded into the weights and bias), and
 *       {@code MatMul} by a constant, optionally followed by an {@code Add} of a constant bias.
 *   <li>{@code MaxPool}, {@code AveragePool}: square windows, no padding, dilation 1, wherever the
 *       ONNX output size (floor, or ceil with {@code ceil_mode}) equals the runtime's (Caffe's,
 *       which rounds up) — in particular whenever the windows tile the input exactly.
 *   <li>{@code Relu}; {@code Flatten} (axis 1) and {@code Reshape} to [batch, features], which only
 *       change the shape, since fully connected layers flatten their input; {@code Identity} and
 *       {@code Dropout} (inference: identity).
 *   <li>A trailing {@code Softmax} or {@code LogSoftmax} over the classes, which does not change
 *       the argmax: recorded in the metadata ({@value #OUTPUT_ACTIVATION}) and not run.
 * </ul>
 *
 * The input must be float32 with a leading batch dimension (symbolic or not) and every other
 * dimension known.
 */
public final class OnnxImporter {
  public static final int MIN_OPSET = 11;
  public static final int MAX_OPSET = 17;

  /** Metadata key: the ONNX file the model came from (its file name). */
  public static final String SOURCE = "onnx.source";

  /** Metadata key: the ONNX producer (name and version) that wrote the file. */
  public static final String PRODUCER = "onnx.producer";

  /** Metadata key: the default-domain opset version of the file. */
  public static final String OPSET = "onnx.opset";

  /** Metadata key: the name of the graph's input. */
  public static final String INPUT_NAME = "onnx.input";

  /** Metadata key: the name of the graph's output. */
  public static final String OUTPUT_NAME = "onnx.output";

  /** Metadata key: {@code Softmax} or {@code LogSoftmax} if the graph ended with one. */
  public static final String OUTPUT_ACTIVATION = "onnx.output_activation";

  /** The operator types the importer maps, as named in its error messages. */
  public static final List<String> SUPPORTED_OPS =
      List.of(
          "Conv",
          "Gemm",
          "MatMul",
          "Add",
          "MaxPool",
          "AveragePool",
          "Relu",
          "Flatten",
          "Reshape",
          "Constant",
          "Identity",
          "Dropout",
          "Softmax",
          "LogSoftmax");

  /** Largest ONNX file read: protobuf messages are limited to 2 GiB. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private final String source;
  private final OnnxProto.Graph graph;
  private final long opset;
  private final Map<String, OnnxProto.Tensor> constants = new HashMap<>();
  private final List<LayerSpec> layers = new ArrayList<>();
  private final Map<String, float[]> parameters = new LinkedHashMap<>();
  private final Set<String> layerNames = new HashSet<>();
  private String inputName;
  private long fixedBatch;
  private Shape shape;
  private String current;
  private String outputActivation;
  // The fully connected layer of the last MatMul while its bias may still follow as an Add.
  private LayerSpec.FullyConnected pendingBias;
  private String pendingBiasInput;

  private OnnxImporter(String source, OnnxProto.Graph graph, long opset) {
    this.source = source;
    this.graph = graph;
    this.opset = opset;
  }

  /**
   * Reads an ONNX file into a model with dense weights.
   *
   * @param name the architecture's name (see {@link #defaultName(Path)})
   * @throws OnnxImportException if the file is not ONNX or holds what the runtime cannot run
   * @throws NoSuchFileException if there is no such file
   */
  public static Model read(Path file, String name) throws IOException, OnnxImportException {
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory, not an ONNX file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // One byte past the limit tells an oversized file without reading all of it.
      bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new OnnxImportException(
          file + ": larger than the 2 GiB a protobuf message can hold; external data is not read");
    }
    Path fileName = file.getFileName();
    return fromBytes(bytes, file.toString(), fileName == null ? "" : fileName.toString(), name);
  }

  /**
   * Imports an ONNX model held in memory.
   *
   * @param source names the origin in error messages, e.g. the file's path
   * @param fileName recorded in the metadata as {@value #SOURCE}
   * @param name the architecture's name
   */
  public static Model fromBytes(byte[] bytes, String source, String fileName, String name)
      throws OnnxImportException {
    OnnxProto.Model proto = OnnxParser.parse(bytes, source);
    if (proto.irVersion() < 3) {
      throw new OnnxImportException(
          source
              + (proto.irVersion() == 0
                  ? ": not a valid ONNX file: it has no IR version (ModelProto field 1)"
                  : ": IR version " + proto.irVersion() + " is too old; 3 or later is needed"));
    }
    Long opset = proto.opsets().get("");
    if (opset == null || opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new OnnxImportException(
          source
              + ": "
              + (opset == null ? "no opset for the default ONNX domain" : "opset " + opset)
              + " is not supported; export with an opset from "
              + MIN_OPSET
              + " to "
              + MAX_OPSET);
    }
    OnnxImporter importer = new OnnxImporter(source, proto.graph(), opset);
    Architecture architecture = importer.importGraph(name);
    Map<String, String> metadata = new TreeMap<>();
    metadata.put(SOURCE, fileName);
    if (!proto.producer().isEmpty()) {
      metadata.put(PRODUCER, proto.producer());
    }
    metadata.put(OPSET, Long.toString(opset));
    metadata.put(INPUT_NAME, importer.inputName);
    metadata.put(OUTPUT_NAME, importer.current);
    if (importer.outputActivation != null) {
      metadata.put(OUTPUT_ACTIVATION, importer.outputActivation);
    }
    return new Model(architecture, importer.parameters, metadata);
  }

  /**
   * The architecture name used when none is given: the file's name without its extension, with
   * characters a name cannot hold replaced by '_'.
   */
  public static String defaultName(Path file) {
    Path fileName = file.getFileName();
    String stem = fileName == null ? "" : fileName.toString();
    int dot = stem.lastIndexOf('.');
    String name = sanitized(dot > 0 ? stem.substring(0, dot) : stem);
    return name.isEmpty() ? "onnx-model" : name;
  }

  private Architecture importGraph(String name) throws OnnxImportException {
    if (graph.sparseInitializers() > 0) {
      throw new OnnxImportException(source + ": sparse initializers are not supported");
    }
    for (OnnxProto.Tensor initializer : graph.initializers()) {
      constants.put(initializer.name(), initializer);
    }
    Shape inputShape = readInput();
    for (int i = 0; i < graph.nodes().size(); i++) {
      importNode(i, graph.nodes().get(i));
    }
    checkOutput();
    if (layers.isEmpty()) {
      throw new OnnxImportException(source + ": the graph has no layer to run");
    }
    try {
      return new Architecture(name, inputShape, layers);
    } catch (IllegalArgumentException e) {
      throw new OnnxImportException(source + ": " + e.getMessage());
    }
  }

  /** The one graph input that is not an initializer: float32, [batch, known dimensions…]. */
  private Shape readInput() throws OnnxImportException {
    List<OnnxProto.ValueInfo> inputs =
        graph.inputs().stream().filter(v -> !constants.containsKey(v.name())).toList();
    if (inputs.size() != 1) {
      throw new OnnxImportException(
          source
              + ": the graph has "
              + inputs.size()
              + " inputs besides its initializers; deepcompress imports networks with one input");
    }
    OnnxProto.ValueInfo input = inputs.getFirst();
    if (input.elemType() != OnnxFields.Tensor.TYPE_FLOAT) {
      throw new OnnxImportException(
          source
              + ": input '"
              + input.name()
              + "' has element type "
              + input.elemType()
              + "; only float32 (1) inputs are supported");
    }
    if (input.dims() == null || input.dims().size() < 2) {
      throw new OnnxImportException(
          source
              + ": input '"
              + input.name()
              + "' needs a shape of [batch, …] with at least one dimension after the batch, got "
              + (input.dims() == null ? "none" : input.dims()));
    }
    int[] dims = new int[input.dims().size() - 1];
    for (int axis = 1; axis < input.dims().size(); axis++) {
      OnnxProto.Dim dim = input.dims().get(axis);
      if (!dim.isKnown() || dim.value() > Integer.MAX_VALUE) {
        throw new OnnxImportException(
            source
                + ": input '"
                + input.name()
                + "' has shape "
                + input.dims()
                + "; only the batch dimension (the first) may be symbolic or unknown");
      }
      dims[axis - 1] = (int) dim.value();
    }
    OnnxProto.Dim batch = input.dims().getFirst();
    fixedBatch = batch.isKnown() ? batch.value() : 0;
    inputName = input.name();
    current = inputName;
    shape = shapeOf(dims, "input '" + input.name() + "'");
    return shape;
  }

  private Shape shapeOf(int[] dims, String what) throws OnnxImportException {
    try {
      return Shape.of(dims);
    } catch (IllegalArgumentException e) {
      throw new OnnxImportException(source + ": " + what + ": " + e.getMessage());
    }
  }

  private void checkOutput() throws OnnxImportException {
    List<String> outputs = graph.outputs().stream().map(OnnxProto.ValueInfo::name).toList();
    if (!outputs.equals(List.of(current))) {
      throw new OnnxImportException(
          source
              + ": the graph's outputs are "
              + outputs
              + ", but its chain of layers ends in '"
              + current
              + "'; deepcompress imports networks with one output at the end of the chain");
    }
  }

  private void importNode(int index, OnnxProto.Node node) throws OnnxImportException {
    String domain = node.domain();
    if (!domain.isEmpty() && !domain.equals("ai.onnx")) {
      throw unsupported(index, node, domain + ":" + node.opType());
    }
    if (node.opType().equals("Constant")) {
      constant(index, node);
      return;
    }
    if (!SUPPORTED_OPS.contains(node.opType())) {
      throw unsupported(index, node, node.opType());
    }
    if (outputActivation != null) {
      throw nodeError(
          index, node, "follows the output " + outputActivation + ", which must end the graph");
    }
    if (node.outputs().isEmpty() || node.outputs().getFirst().isEmpty()) {
      throw nodeError(index, node, "has no output");
    }
    if (!node.opType().equals("Add") && !input(node, 0).equals(current)) {
      throw notOnTheChain(index, node, input(node, 0));
    }
    switch (node.opType()) {
      case "Conv" -> convolution(index, node);
      case "Gemm" -> gemm(index, node);
      case "MatMul" -> matMul(index, node);
      case "Add" -> add(index, node);
      case "MaxPool", "AveragePool" -> pooling(index, node);
      case "Relu" -> {
        allowAttributes(index, node);
        requireInputs(index, node, 1, 1);
        String name = layerName(node, null, "relu");
        addLayer(index, node, layer(index, node, () -> new LayerSpec.Relu(name)));
      }
      case "Flatten" -> flatten(index, node);
      case "Reshape" -> reshape(index, node);
      case "Identity" -> {
        allowAttributes(index, node);
        requireInputs(index, node, 1, 1);
      }
      case "Dropout" -> dropout(index, node);
      case "Softmax", "LogSoftmax" -> softmax(index, node);
      default -> throw new IllegalStateException("listed but not handled: " + node.opType());
    }
    current = node.outputs().getFirst();
    if (pendingBias != null && !node.opType().equals("MatMul")) {
      pendingBias = null;
    }
  }

  private OnnxImportException unsupported(int index, OnnxProto.Node node, String opType) {
    return new OnnxImportException(
        source
            + ": "
            + describe(index, node)
            + " has op type '"
            + opType
            + "', which deepcompress does not import; supported: "
            + String.join(", ", SUPPORTED_OPS));
  }

  private OnnxImportException nodeError(int index, OnnxProto.Node node, String message) {
    return new OnnxImportException(source + ": " + describe(index, node) + " " + message);
  }

  private OnnxImportException notOnTheChain(int index, OnnxProto.Node node, String input) {
    return nodeError(
        index,
        node,
        "reads '"
            + input
            + "', not the output of the layer before it ('"
            + current
            + "'); deepcompress imports a single chain of layers");
  }

  private static String describe(int index, OnnxProto.Node node) {
    return (node.name().isEmpty() ? "node #" + index : "node '" + node.name() + "'")
        + " ("
        + node.opType()
        + ")";
  }

  private static String input(OnnxProto.Node node, int i) {
    return i < node.inputs().size() ? node.inputs().get(i) : "";
  }

  private void requireInputs(int index, OnnxProto.Node node, int min, int max)
      throws OnnxImportException {
    int given = node.inputs().size();
    while (given > min && node.inputs().get(given - 1).isEmpty()) {
      given--;
    }
    if (given < min || given > max) {
      throw nodeError(
          index,
          node,
          "has " + given + " inputs; " + (min == max ? min : min + " to " + max) + " expected");
    }
  }

  /** Rejects attributes the importer does not interpret, so none is silently ignored. */
  private void allowAttributes(int index, OnnxProto.Node node, String... known)
      throws OnnxImportException {
    for (String attribute : node.attributes().keySet()) {
      if (!Arrays.asList(known).contains(attribute)) {
        throw nodeError(
            index,
            node,
            "has attribute '"
                + attribute
                + "', which deepcompress does not support"
                + (known.length == 0 ? "" : " (known: " + String.join(", ", known) + ")"));
      }
    }
  }

  private long intAttribute(int index, OnnxProto.Node node, String name, long absent)
      throws OnnxImportException {
    return attribute(index, node, name, OnnxFields.Attribute.TYPE_INT, "an integer")
        .map(OnnxProto.Attribute::i)
        .orElse(absent);
  }

  private float floatAttribute(int index, OnnxProto.Node node, String name, float absent)
      throws OnnxImportException {
    return attribute(index, node, name, OnnxFields.Attribute.TYPE_FLOAT, "a float")
        .map(OnnxProto.Attribute::f)
        .orElse(absent);
  }

  private long[] intsAttribute(int index, OnnxProto.Node node, String name, long[] absent)
      throws OnnxImportException {
    return attribute(index, node, name, OnnxFields.Attribute.TYPE_INTS, "a list of integers")
        .map(OnnxProto.Attribute::ints)
        .orElse(absent);
  }

  private String stringAttribute(int index, OnnxProto.Node node, String name, String absent)
      throws OnnxImportException {
    return attribute(index, node, name, OnnxFields.Attribute.TYPE_STRING, "a string")
        .map(OnnxProto.Attribute::s)
        .orElse(absent);
  }

  /** The node's attribute {@code name}, if it has one, checked to be of {@code type}. */
  private Optional<OnnxProto.Attribute> attribute(
      int index, OnnxProto.Node node, String name, int type, String what)
      throws OnnxImportException {
    OnnxProto.Attribute attribute = node.attributes().get(name);
    if (attribute != null) {
      requireType(index, node, attribute, type, what);
    }
    return Optional.ofNullable(attribute);
  }

  private void requireType(
      int index, OnnxProto.Node node, OnnxProto.Attribute attribute, int type, String what)
      throws OnnxImportException {
    if (attribute.type() != type) {
      throw nodeError(
          index,
          node,
          "attribute '"
              + attribute.name()
              + "' has type "
              + attribute.type()
              + " where "
              + what
              + " (type "
              + type
              + ") is expected");
    }
  }

  /** A {@code Constant} node: its value joins the initializers, for the nodes that read it. */
  private void constant(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "value", "value_ints", "value_int", "value_floats", "value_float");
    requireInputs(index, node, 0, 0);
    if (node.attributes().size() != 1 || node.outputs().size() != 1) {
      throw nodeError(index, node, "needs exactly one value attribute and one output");
    }
    OnnxProto.Attribute value = node.attributes().values().iterator().next();
    OnnxProto.Tensor tensor =
        switch (value.name()) {
          case "value" -> {
            requireType(index, node, value, OnnxFields.Attribute.TYPE_TENSOR, "a tensor");
            yield value.t();
          }
          case "value_ints" -> {
            requireType(index, node, value, OnnxFields.Attribute.TYPE_INTS, "a list of integers");
            yield int64Tensor(new long[] {value.ints().length}, value.ints());
          }
          case "value_int" -> {
            requireType(index, node, value, OnnxFields.Attribute.TYPE_INT, "an integer");
            yield int64Tensor(new long[0], new long[] {value.i()});
          }
          case "value_floats" -> {
            requireType(index, node, value, OnnxFields.Attribute.TYPE_FLOATS, "a list of floats");
            yield floatTensor(new long[] {value.floats().length}, value.floats());
          }
          default -> {
            requireType(index, node, value, OnnxFields.Attribute.TYPE_FLOAT, "a float");
            yield floatTensor(new long[0], new float[] {value.f()});
          }
        };
    constants.put(node.outputs().getFirst(), tensor);
  }

  private static OnnxProto.Tensor int64Tensor(long[] dims, long[] values) {
    return new OnnxProto.Tensor(
        "", dims, OnnxFields.Tensor.TYPE_INT64, null, new float[0], values, new int[0], false);
  }

  private static OnnxProto.Tensor floatTensor(long[] dims, float[] values) {
    return new OnnxProto.Tensor(
        "", dims, OnnxFields.Tensor.TYPE_FLOAT, null, values, new long[0], new int[0], false);
  }

  /** The constant a node reads as input {@code i}: an initializer or a Constant's output. */
  private OnnxProto.Tensor constantInput(int index, OnnxProto.Node node, int i, String role)
      throws OnnxImportException {
    String name = input(node, i);
    OnnxProto.Tensor tensor = constants.get(name);
    if (tensor == null) {
      throw nodeError(
          index,
          node,
          "takes its "
              + role
              + " from '"
              + name
              + "', which is not an initializer or a Constant; deepcompress imports weights that"
              + " are stored in the file");
    }
    if (tensor.external()) {
      throw nodeError(
          index,
          node,
          role
              + " '"
              + name
              + "' is stored as external data, which is not supported; save the model with its"
              + " weights inside the file");
    }
    return tensor;
  }

  /** A float32 constant of the given rank (or any rank when {@code rank} is negative). */
  private float[] floatInput(int index, OnnxProto.Node node, int i, String role, long... dims)
      throws OnnxImportException {
    OnnxProto.Tensor tensor = constantInput(index, node, i, role);
    if (tensor.dataType() != OnnxFields.Tensor.TYPE_FLOAT) {
      throw nodeError(
          index,
          node,
          role
              + " '"
              + input(node, i)
              + "' has data type "
              + tensor.dataType()
              + "; only float32 (1) weights are supported");
    }
    if (dims.length > 0 && !Arrays.equals(dims, tensor.dims())) {
      throw nodeError(
          index,
          node,
          role
              + " '"
              + input(node, i)
              + "' has shape "
              + tensor.shapeText()
              + " where "
              + shapeText(dims)
              + " is needed");
    }
    return tensor.floats();
  }

  private static String shapeText(long[] dims) {
    StringBuilder text = new StringBuilder();
    for (long d : dims) {
      text.append(text.isEmpty() ? "" : "×").append(d);
    }
    return text.toString();
  }

  private String activationText() {
    return "batch×" + shape;
  }

  private void convolution(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(
        index, node, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
    requireInputs(index, node, 2, 3);
    requireImageInput(index, node);
    OnnxProto.Tensor weightTensor = constantInput(index, node, 1, "weight");
    long[] w = weightTensor.dims();
    if (w.length != 4) {
      throw nodeError(
          index,
          node,
          "has a weight of shape "
              + weightTensor.shapeText()
              + "; only 2-D convolutions are supported");
    }
    if (intAttribute(index, node, "group", 1) != 1) {
      throw nodeError(
          index,
          node,
          "has group " + node.attributes().get("group").i() + "; only group 1 is supported");
    }
    requireAll(
        index, node, "dilations", intsAttribute(index, node, "dilations", new long[] {1, 1}), 1);
    if (w[2] != w[3]) {
      throw nodeError(
          index,
          node,
          "has a " + w[2] + "×" + w[3] + " kernel; the runtime's convolution has a square kernel");
    }
    long[] kernelShape = intsAttribute(index, node, "kernel_shape", new long[] {w[2], w[3]});
    if (!Arrays.equals(kernelShape, new long[] {w[2], w[3]})) {
      throw nodeError(
          index,
          node,
          "has kernel_shape "
              + Arrays.toString(kernelShape)
              + " but a weight of shape "
              + weightTensor.shapeText());
    }
    int stride = sameOnBothAxes(index, node, "strides", 1);
    int padding = symmetricPadding(index, node);
    int inputChannels = shape.dim(0);
    if (w[1] != inputChannels || w[0] > Integer.MAX_VALUE || w[2] > Integer.MAX_VALUE) {
      throw nodeError(
          index,
          node,
          "has a weight of shape "
              + weightTensor.shapeText()
              + " for an input of "
              + activationText()
              + " (weight dimension 1 must be the "
              + inputChannels
              + " input channels)");
    }
    int outputChannels = (int) w[0];
    float[] weight = floatInput(index, node, 1, "weight");
    float[] bias =
        input(node, 2).isEmpty()
            ? new float[outputChannels]
            : floatInput(index, node, 2, "bias", outputChannels);
    String name = layerName(node, input(node, 1), "conv");
    LayerSpec.Convolution conv =
        layer(
            index,
            node,
            () ->
                new LayerSpec.Convolution(
                    name, inputChannels, outputChannels, (int) w[2], stride, padding));
    parameters.put(conv.weightName(), weight);
    parameters.put(conv.biasName(), bias);
    addLayer(index, node, conv);
  }

  private void requireImageInput(int index, OnnxProto.Node node) throws OnnxImportException {
    if (shape.rank() != 3) {
      throw nodeError(
          index,
          node,
          "receives "
              + activationText()
              + "; deepcompress runs 2-D convolution and pooling on [batch, channels, height,"
              + " width] inputs");
    }
  }

  private void requireAll(int index, OnnxProto.Node node, String name, long[] values, long value)
      throws OnnxImportException {
    for (long v : values) {
      if (v != value) {
        throw nodeError(
            index,
            node,
            "has " + name + " " + Arrays.toString(values) + "; only " + value + " is supported");
      }
    }
  }

  /** A two-element attribute (strides) whose elements must be equal and positive. */
  private int sameOnBothAxes(int index, OnnxProto.Node node, String name, long absent)
      throws OnnxImportException {
    long[] values = intsAttribute(index, node, name, new long[] {absent, absent});
    if (values.length != 2
        || values[0] != values[1]
        || values[0] < 1
        || values[0] > Integer.MAX_VALUE) {
      throw nodeError(
          index,
          node,
          "has "
              + name
              + " "
              + Arrays.toString(values)
              + "; the runtime needs the same positive value on both axes");
    }
    return (int) values[0];
  }

  /** The one padding of all four sides; {@code auto_pad} must leave the padding explicit. */
  private int symmetricPadding(int index, OnnxProto.Node node) throws OnnxImportException {
    String autoPad = stringAttribute(index, node, "auto_pad", "NOTSET");
    long[] pads = intsAttribute(index, node, "pads", new long[] {0, 0, 0, 0});
    if (autoPad.equals("VALID")) {
      pads = new long[] {0, 0, 0, 0};
    } else if (!autoPad.equals("NOTSET")) {
      throw nodeError(
          index,
          node,
          "has auto_pad "
              + autoPad
              + "; only explicit pads (auto_pad NOTSET) or VALID are supported");
    }
    if (pads.length != 4
        || pads[0] != pads[1]
        || pads[0] != pads[2]
        || pads[0] != pads[3]
        || pads[0] < 0
        || pads[0] > Integer.MAX_VALUE) {
      throw nodeError(
          index,
          node,
          "has pads " + Arrays.toString(pads) + "; the runtime pads all four sides alike");
    }
    return (int) pads[0];
  }

  private void gemm(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "alpha", "beta", "transA", "transB");
    requireInputs(index, node, 2, 3);
    if (intAttribute(index, node, "transA", 0) != 0) {
      throw nodeError(index, node, "has transA 1; only an untransposed input is supported");
    }
    boolean transB = intAttribute(index, node, "transB", 0) != 0;
    float alpha = floatAttribute(index, node, "alpha", 1f);
    float beta = floatAttribute(index, node, "beta", 1f);
    int inputs = requireFlatInput(index, node);
    long[] b = constantInput(index, node, 1, "weight").dims();
    if (b.length != 2 || b[transB ? 1 : 0] != inputs || b[transB ? 0 : 1] > Integer.MAX_VALUE) {
      throw nodeError(
          index,
          node,
          "has a weight of shape "
              + shapeText(b)
              + (transB ? " (transB 1)" : " (transB 0)")
              + " for an input of "
              + activationText());
    }
    int outputs = (int) b[transB ? 0 : 1];
    float[] weight = floatInput(index, node, 1, "weight");
    if (!transB) {
      weight = transposed(weight, inputs, outputs);
    }
    if (alpha != 1f) {
      for (int i = 0; i < weight.length; i++) {
        weight[i] *= alpha;
      }
    }
    float[] bias = input(node, 2).isEmpty() ? new float[outputs] : gemmBias(index, node, outputs);
    if (beta != 1f) {
      for (int i = 0; i < bias.length; i++) {
        bias[i] *= beta;
      }
    }
    fullyConnected(index, node, inputs, outputs, weight, bias);
  }

  /** Gemm's C, broadcast along the batch: [outputs], [1, outputs] or a single value. */
  private float[] gemmBias(int index, OnnxProto.Node node, int outputs) throws OnnxImportException {
    float[] c = floatInput(index, node, 2, "bias");
    long[] dims = constantInput(index, node, 2, "bias").dims();
    boolean perOutput =
        c.length == outputs && (dims.length == 1 || (dims.length == 2 && dims[0] == 1));
    if (perOutput) {
      return c;
    }
    if (c.length == 1 && dims.length <= 2) {
      float[] bias = new float[outputs];
      Arrays.fill(bias, c[0]);
      return bias;
    }
    throw nodeError(
        index,
        node,
        "has a bias of shape "
            + shapeText(dims)
            + "; only ["
            + outputs
            + "], [1, "
            + outputs
            + "] or a single value are supported");
  }

  /** The feature count of a [batch, features] input; anything of higher rank is not flattened. */
  private int requireFlatInput(int index, OnnxProto.Node node) throws OnnxImportException {
    if (shape.rank() != 1) {
      throw nodeError(
          index,
          node,
          "receives "
              + activationText()
              + "; it multiplies a [batch, features] matrix, so a Flatten must come first");
    }
    return shape.dim(0);
  }

  private static float[] transposed(float[] matrix, int rows, int columns) {
    float[] result = new float[matrix.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        result[c * rows + r] = matrix[r * columns + c];
      }
    }
    return result;
  }

  private void matMul(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node);
    requireInputs(index, node, 2, 2);
    int inputs = requireFlatInput(index, node);
    long[] b = constantInput(index, node, 1, "weight").dims();
    if (b.length != 2 || b[0] != inputs || b[1] > Integer.MAX_VALUE) {
      throw nodeError(
          index,
          node,
          "has a weight of shape " + shapeText(b) + " for an input of " + activationText());
    }
    int outputs = (int) b[1];
    float[] weight = transposed(floatInput(index, node, 1, "weight"), inputs, outputs);
    pendingBias = fullyConnected(index, node, inputs, outputs, weight, new float[outputs]);
    pendingBiasInput = node.outputs().getFirst();
  }

  /** An Add of a constant to a MatMul's output: that layer's bias. */
  private void add(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node);
    requireInputs(index, node, 2, 2);
    int chained = input(node, 0).equals(current) ? 0 : input(node, 1).equals(current) ? 1 : -1;
    if (chained < 0) {
      throw notOnTheChain(index, node, input(node, 0));
    }
    if (pendingBias == null || !current.equals(pendingBiasInput)) {
      throw nodeError(
          index,
          node,
          "is supported only as the bias of a MatMul (x·W + b), directly after the MatMul");
    }
    int outputs = pendingBias.outputs();
    OnnxProto.Tensor addend = constantInput(index, node, 1 - chained, "bias");
    long[] dims = addend.dims();
    if (addend.elementCount() != outputs
        || !(dims.length == 1 || (dims.length == 2 && dims[0] == 1))) {
      throw nodeError(
          index,
          node,
          "adds a constant of shape "
              + addend.shapeText()
              + "; a MatMul's bias must be ["
              + outputs
              + "] or [1, "
              + outputs
              + "]");
    }
    parameters.put(pendingBias.biasName(), floatInput(index, node, 1 - chained, "bias"));
    pendingBias = null;
  }

  private LayerSpec.FullyConnected fullyConnected(
      int index, OnnxProto.Node node, int inputs, int outputs, float[] weight, float[] bias)
      throws OnnxImportException {
    String name = layerName(node, input(node, 1), "ip");
    LayerSpec.FullyConnected fc =
        layer(index, node, () -> new LayerSpec.FullyConnected(name, inputs, outputs));
    parameters.put(fc.weightName(), weight);
    parameters.put(fc.biasName(), bias);
    addLayer(index, node, fc);
    return fc;
  }

  private void pooling(int index, OnnxProto.Node node) throws OnnxImportException {
    boolean max = node.opType().equals("MaxPool");
    if (max) {
      allowAttributes(
          index,
          node,
          "auto_pad",
          "ceil_mode",
          "dilations",
          "kernel_shape",
          "pads",
          "storage_order",
          "strides");
      if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
        throw nodeError(index, node, "has an Indices output, which is not supported");
      }
    } else {
      allowAttributes(
          index,
          node,
          "auto_pad",
          "ceil_mode",
          "count_include_pad",
          "dilations",
          "kernel_shape",
          "pads",
          "strides");
    }
    requireInputs(index, node, 1, 1);
    requireImageInput(index, node);
    int kernel = sameOnBothAxes(index, node, "kernel_shape", 0);
    int stride = sameOnBothAxes(index, node, "strides", 1);
    requireAll(
        index, node, "dilations", intsAttribute(index, node, "dilations", new long[] {1, 1}), 1);
    if (symmetricPadding(index, node) != 0) {
      throw nodeError(
          index,
          node,
          "has pads "
              + Arrays.toString(node.attributes().get("pads").ints())
              + "; the runtime's pooling has no padding");
    }
    boolean ceil = intAttribute(index, node, "ceil_mode", 0) != 0;
    String name = layerName(node, null, "pool");
    LayerSpec pool =
        layer(
            index,
            node,
            () ->
                max
                    ? (LayerSpec) new LayerSpec.MaxPool(name, kernel, stride)
                    : new LayerSpec.AveragePool(name, kernel, stride));
    Shape ours = pooled(index, node, pool);
    for (int axis = 1; axis <= 2; axis++) {
      long theirs = onnxPooledSize(shape.dim(axis), kernel, stride, ceil);
      if (theirs != ours.dim(axis)) {
        throw nodeError(
            index,
            node,
            "pools "
                + activationText()
                + " with a "
                + kernel
                + "×"
                + kernel
                + " window and stride "
                + stride
                + " into "
                + theirs
                + " along "
                + (axis == 1 ? "the height" : "the width")
                + " (ONNX rounds "
                + (ceil ? "up" : "down")
                + "), where the runtime's pooling (Caffe's, which rounds up and clips the last"
                + " window) gives "
                + ours.dim(axis)
                + "; unsupported unless the windows tile the input exactly or ceil_mode is 1");
      }
    }
    addLayer(index, node, pool);
  }

  private Shape pooled(int index, OnnxProto.Node node, LayerSpec pool) throws OnnxImportException {
    try {
      return pool.outputShape(shape);
    } catch (IllegalArgumentException e) {
      throw nodeError(index, node, "cannot run here: " + e.getMessage());
    }
  }

  /**
   * ONNX's output size without padding: floor or ceil of (size − kernel) / stride, plus one; in
   * ceil mode a last window that would start past the input is dropped, as ONNX Runtime and PyTorch
   * do.
   */
  static long onnxPooledSize(int size, int kernel, int stride, boolean ceil) {
    long span = (long) size - kernel;
    if (span < 0) {
      return 0;
    }
    long out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil && (out - 1) * stride >= size) {
      out--;
    }
    return out;
  }

  private void flatten(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "axis");
    requireInputs(index, node, 1, 1);
    int rank = shape.rank() + 1;
    long axis = intAttribute(index, node, "axis", 1);
    if (axis < 0) {
      axis += rank;
    }
    if (axis != 1) {
      throw nodeError(
          index,
          node,
          "has axis "
              + node.attributes().get("axis").i()
              + " for an input of "
              + activationText()
              + "; only flattening everything after the batch (axis 1) is supported");
    }
    shape = Shape.of(shape.elementCount());
  }

  /** A Reshape to [batch, features]: {@code [0 | -1 | the batch, features | -1]}. */
  private void reshape(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "allowzero");
    requireInputs(index, node, 2, 2);
    boolean allowZero = intAttribute(index, node, "allowzero", 0) != 0;
    OnnxProto.Tensor shapeTensor = constantInput(index, node, 1, "target shape");
    if (shapeTensor.dataType() != OnnxFields.Tensor.TYPE_INT64 || shapeTensor.dims().length != 1) {
      throw nodeError(index, node, "needs its target shape as a 1-D int64 constant");
    }
    long[] target = shapeTensor.int64s();
    long features = shape.elementCount();
    boolean batchKept =
        target.length == 2
            && ((target[0] == 0 && !allowZero)
                || (target[0] == -1 && target[1] != -1)
                || (fixedBatch > 0 && target[0] == fixedBatch));
    boolean flattened =
        target.length == 2
            && (target[1] == features
                || (target[1] == -1 && target[0] != -1)
                || (target[1] == 0 && !allowZero && shape.rank() == 1));
    if (!batchKept || !flattened) {
      throw nodeError(
          index,
          node,
          "reshapes "
              + activationText()
              + " to "
              + Arrays.toString(target)
              + "; only a reshape to [batch, "
              + features
              + "] (which flattens) is supported");
    }
    shape = Shape.of(shape.elementCount());
  }

  private void dropout(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "seed", "ratio");
    requireInputs(index, node, 1, 3);
    if (!input(node, 2).isEmpty()) {
      OnnxProto.Tensor trainingMode = constantInput(index, node, 2, "training_mode");
      if (trainingMode.dataType() != OnnxFields.Tensor.TYPE_BOOL
          || trainingMode.elementCount() != 1
          || trainingMode.bools()[0] != 0) {
        throw nodeError(
            index,
            node,
            "is in training mode; only inference-mode dropout (identity) is supported");
      }
    }
  }

  private void softmax(int index, OnnxProto.Node node) throws OnnxImportException {
    allowAttributes(index, node, "axis");
    requireInputs(index, node, 1, 1);
    // Before opset 13 the default axis is 1, from 13 on the last: for [batch, classes] the same.
    long axis = intAttribute(index, node, "axis", opset < 13 ? 1 : -1);
    if (shape.rank() != 1 || (axis != 1 && axis != -1)) {
      throw nodeError(
          index,
          node,
          "with axis "
              + axis
              + " over "
              + activationText()
              + "; only a softmax over the classes of a [batch, classes] output is supported");
    }
    outputActivation = node.opType();
  }

  @FunctionalInterface
  private interface LayerFactory<T extends LayerSpec> {
    T create();
  }

  private <T extends LayerSpec> T layer(int index, OnnxProto.Node node, LayerFactory<T> factory)
      throws OnnxImportException {
    try {
      return factory.create();
    } catch (IllegalArgumentException e) {
      throw nodeError(index, node, "cannot be mapped: " + e.getMessage());
    }
  }

  private void addLayer(int index, OnnxProto.Node node, LayerSpec layer)
      throws OnnxImportException {
    Shape next;
    try {
      next = layer.outputShape(shape);
    } catch (IllegalArgumentException e) {
      throw nodeError(index, node, "does not fit its input: " + e.getMessage());
    }
    layers.add(layer);
    layerNames.add(layer.name());
    shape = next;
  }

  /**
   * A unique layer name: the weight's name without ".weight" (PyTorch names weights after their
   * module), else the module path in PyTorch's node name ("/features/conv1/Conv" gives
   * "features.conv1"), else the node's name, else {@code kind} and a number.
   */
  private String layerName(OnnxProto.Node node, String weightName, String kind) {
    List<String> candidates = new ArrayList<>();
    if (weightName != null && weightName.endsWith(".weight")) {
      candidates.add(weightName.substring(0, weightName.length() - ".weight".length()));
    }
    String nodeName = node.name();
    if (nodeName.startsWith("/")) {
      int last = nodeName.lastIndexOf('/');
      candidates.add(nodeName.substring(1, Math.max(1, last)).replace('/', '.'));
    }
    candidates.add(nodeName);
    for (String candidate : candidates) {
      String name = sanitized(candidate);
      if (!name.isEmpty() && !layerNames.contains(name)) {
        return name;
      }
    }
    for (int n = 1; ; n++) {
      String name = kind + n;
      if (!layerNames.contains(name)) {
        return name;
      }
    }
  }

  /** Keeps [A-Za-z0-9_.-], replaces anything else by '_', drops leading '.' and '-', ≤ 64. */
  static String sanitized(String text) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < text.length() && name.length() < 64; i++) {
      char c = text.charAt(i);
      boolean allowed =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (name.isEmpty() && (c == '.' || c == '-')) {
        continue;
      }
      name.append(allowed ? c : '_');
    }
    return name.toString();
  }
}
