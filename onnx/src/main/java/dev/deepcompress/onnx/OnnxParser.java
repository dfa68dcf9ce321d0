package dev.deepcompress.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the ONNX protobuf messages of {@link OnnxProto} from a file's bytes with protobuf-java's
 * {@link CodedInputStream}, by the field numbers of {@link OnnxFields}. The file is untrusted:
 * every length is checked against the bytes that remain before anything is allocated (the stream's
 * limit is the file's size, and an embedded message's declared length becomes the limit while it is
 * read), and a tensor's declared element count against the data it holds. Subgraphs (attributes of
 * control-flow operators) are skipped unread, so nesting is bounded by the schema.
 */
final class OnnxParser {
  /** The largest rank the importer deals with; ONNX itself sets none. */
  static final int MAX_RANK = 8;

  private final CodedInputStream in;
  private final String source;

  private OnnxParser(CodedInputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /**
   * Parses a whole {@code ModelProto}.
   *
   * @param source names the file in error messages
   * @throws OnnxImportException if the bytes are not a well-formed ONNX model
   */
  static OnnxProto.Model parse(byte[] bytes, String source) throws OnnxImportException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    // raw_data then refers to the file's bytes rather than copying them.
    in.enableAliasing(true);
    // The size limit matters for streams, not arrays; set anyway, so no read can pass the file.
    // No message is read through readMessage, so the recursion limit does not come into play:
    // nesting is that of the ONNX schema, and groups (the other way to nest) are refused.
    in.setSizeLimit(bytes.length);
    try {
      in.pushLimit(bytes.length);
      return new OnnxParser(in, source).model();
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxImportException(
          source
              + ": not a valid ONNX file (truncated or damaged?): its protobuf encoding breaks at"
              + " byte "
              + in.getTotalBytesRead()
              + " of "
              + bytes.length);
    } catch (IOException e) {
      // A CodedInputStream over an array throws no other IOException.
      throw new IllegalStateException(e);
    }
  }

  private OnnxImportException invalid(String message) {
    return new OnnxImportException(
        source + ": not a valid ONNX file: " + message + " (byte " + in.getTotalBytesRead() + ")");
  }

  /** Reads fields until the current limit, handing each tag to {@code field}. */
  private void fields(FieldReader field) throws IOException, OnnxImportException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int wireType = WireFormat.getTagWireType(tag);
      // ONNX has no groups; refusing them keeps skipping a field from ever recursing.
      if (wireType == WireFormat.WIRETYPE_START_GROUP
          || wireType == WireFormat.WIRETYPE_END_GROUP) {
        throw invalid("field " + WireFormat.getTagFieldNumber(tag) + " is a protobuf group");
      }
      if (!field.read(tag)) {
        in.skipField(tag);
      }
    }
  }

  @FunctionalInterface
  private interface FieldReader {
    /** Reads the field of {@code tag} and returns true, or returns false to have it skipped. */
    boolean read(int tag) throws IOException, OnnxImportException;
  }

  @FunctionalInterface
  private interface MessageReader<T> {
    T read() throws IOException, OnnxImportException;
  }

  /** An embedded message: its length is checked against what remains and becomes the limit. */
  private <T> T message(int tag, MessageReader<T> reader) throws IOException, OnnxImportException {
    requireWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    int length = in.readRawVarint32();
    int outer = in.pushLimit(length);
    T value = reader.read();
    in.popLimit(outer);
    return value;
  }

  private void requireWireType(int tag, int wireType) throws OnnxImportException {
    if (WireFormat.getTagWireType(tag) != wireType) {
      throw invalid(
          "field "
              + WireFormat.getTagFieldNumber(tag)
              + " has wire type "
              + WireFormat.getTagWireType(tag)
              + " where the ONNX schema has "
              + wireType);
    }
  }

  private String string(int tag) throws IOException, OnnxImportException {
    requireWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    return in.readStringRequireUtf8();
  }

  private long int64(int tag) throws IOException, OnnxImportException {
    requireWireType(tag, WireFormat.WIRETYPE_VARINT);
    return in.readInt64();
  }

  /** A repeated int64 (or int32) field, packed or not, appended to {@code values}. */
  private void int64s(int tag, LongList values) throws IOException, OnnxImportException {
    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int outer = in.pushLimit(in.readRawVarint32());
      while (!in.isAtEnd()) {
        values.add(in.readInt64());
      }
      in.popLimit(outer);
    } else {
      values.add(int64(tag));
    }
  }

  /** A repeated float field, packed or not, appended to {@code values}. */
  private void floats(int tag, FloatList values) throws IOException, OnnxImportException {
    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      int length = in.readRawVarint32();
      if (length % 4 != 0) {
        throw invalid("a packed float field of " + length + " bytes");
      }
      // The limit is checked against the bytes that remain before the array grows.
      int outer = in.pushLimit(length);
      values.reserve(length / 4);
      while (!in.isAtEnd()) {
        values.add(in.readFloat());
      }
      in.popLimit(outer);
    } else {
      requireWireType(tag, WireFormat.WIRETYPE_FIXED32);
      values.add(in.readFloat());
    }
  }

  private OnnxProto.Model model() throws IOException, OnnxImportException {
    long[] irVersion = {0};
    String[] producer = {"", ""};
    Map<String, Long> opsets = new LinkedHashMap<>();
    List<OnnxProto.Graph> graphs = new ArrayList<>();
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Model.IR_VERSION -> irVersion[0] = int64(tag);
            case OnnxFields.Model.PRODUCER_NAME -> producer[0] = string(tag);
            case OnnxFields.Model.PRODUCER_VERSION -> producer[1] = string(tag);
            case OnnxFields.Model.GRAPH -> graphs.add(message(tag, this::graph));
            case OnnxFields.Model.OPSET_IMPORT -> message(tag, () -> opset(opsets));
            default -> {
              return false;
            }
          }
          return true;
        });
    if (graphs.size() != 1) {
      throw invalid(
          graphs.isEmpty()
              ? "it has no graph (ModelProto field 7)"
              : "it has " + graphs.size() + " graphs");
    }
    return new OnnxProto.Model(
        irVersion[0], (producer[0] + " " + producer[1]).strip(), opsets, graphs.getFirst());
  }

  private Void opset(Map<String, Long> opsets) throws IOException, OnnxImportException {
    String[] domain = {""};
    long[] version = {0};
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.OperatorSetId.DOMAIN -> domain[0] = string(tag);
            case OnnxFields.OperatorSetId.VERSION -> version[0] = int64(tag);
            default -> {
              return false;
            }
          }
          return true;
        });
    // "ai.onnx" is the default domain's other name.
    opsets.put(domain[0].equals("ai.onnx") ? "" : domain[0], version[0]);
    return null;
  }

  private OnnxProto.Graph graph() throws IOException, OnnxImportException {
    String[] name = {""};
    List<OnnxProto.Node> nodes = new ArrayList<>();
    List<OnnxProto.Tensor> initializers = new ArrayList<>();
    int[] sparse = {0};
    List<OnnxProto.ValueInfo> inputs = new ArrayList<>();
    List<OnnxProto.ValueInfo> outputs = new ArrayList<>();
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Graph.NODE -> nodes.add(message(tag, this::node));
            case OnnxFields.Graph.NAME -> name[0] = string(tag);
            case OnnxFields.Graph.INITIALIZER -> initializers.add(message(tag, this::tensor));
            case OnnxFields.Graph.SPARSE_INITIALIZER -> {
              sparse[0]++;
              return false;
            }
            case OnnxFields.Graph.INPUT -> inputs.add(message(tag, this::valueInfo));
            case OnnxFields.Graph.OUTPUT -> outputs.add(message(tag, this::valueInfo));
            default -> {
              return false;
            }
          }
          return true;
        });
    return new OnnxProto.Graph(name[0], nodes, initializers, sparse[0], inputs, outputs);
  }

  private OnnxProto.Node node() throws IOException, OnnxImportException {
    String[] text = {"", "", ""}; // name, op type, domain
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    Map<String, OnnxProto.Attribute> attributes = new LinkedHashMap<>();
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Node.INPUT -> inputs.add(string(tag));
            case OnnxFields.Node.OUTPUT -> outputs.add(string(tag));
            case OnnxFields.Node.NAME -> text[0] = string(tag);
            case OnnxFields.Node.OP_TYPE -> text[1] = string(tag);
            case OnnxFields.Node.DOMAIN -> text[2] = string(tag);
            case OnnxFields.Node.ATTRIBUTE -> {
              OnnxProto.Attribute attribute = message(tag, this::attribute);
              if (attributes.put(attribute.name(), attribute) != null) {
                throw invalid(
                    "node '" + text[0] + "' has two attributes named '" + attribute.name() + "'");
              }
            }
            default -> {
              return false;
            }
          }
          return true;
        });
    return new OnnxProto.Node(text[0], text[1], text[2], inputs, outputs, attributes);
  }

  private OnnxProto.Attribute attribute() throws IOException, OnnxImportException {
    String[] text = {"", ""}; // name, s
    int[] type = {0};
    float[] f = {0};
    long[] i = {0};
    OnnxProto.Tensor[] t = {null};
    FloatList floats = new FloatList();
    LongList ints = new LongList();
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Attribute.NAME -> text[0] = string(tag);
            case OnnxFields.Attribute.TYPE -> type[0] = (int) int64(tag);
            case OnnxFields.Attribute.F -> {
              requireWireType(tag, WireFormat.WIRETYPE_FIXED32);
              f[0] = in.readFloat();
            }
            case OnnxFields.Attribute.I -> i[0] = int64(tag);
            case OnnxFields.Attribute.S -> text[1] = string(tag);
            case OnnxFields.Attribute.T -> t[0] = message(tag, this::tensor);
            case OnnxFields.Attribute.FLOATS -> floats(tag, floats);
            case OnnxFields.Attribute.INTS -> int64s(tag, ints);
            default -> {
              return false;
            }
          }
          return true;
        });
    return new OnnxProto.Attribute(
        text[0], type[0], f[0], i[0], text[1], t[0], floats.toArray(), ints.toArray());
  }

  private OnnxProto.Tensor tensor() throws IOException, OnnxImportException {
    LongList dims = new LongList();
    int[] dataType = {0};
    String[] name = {""};
    ByteString[] raw = {null};
    FloatList floatData = new FloatList();
    LongList int64Data = new LongList();
    LongList int32Data = new LongList();
    boolean[] external = {false};
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Tensor.DIMS -> int64s(tag, dims);
            case OnnxFields.Tensor.DATA_TYPE -> dataType[0] = (int) int64(tag);
            case OnnxFields.Tensor.FLOAT_DATA -> floats(tag, floatData);
            case OnnxFields.Tensor.INT32_DATA -> int64s(tag, int32Data);
            case OnnxFields.Tensor.INT64_DATA -> int64s(tag, int64Data);
            case OnnxFields.Tensor.NAME -> name[0] = string(tag);
            case OnnxFields.Tensor.RAW_DATA -> {
              requireWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
              raw[0] = in.readBytes();
            }
            case OnnxFields.Tensor.EXTERNAL_DATA -> {
              external[0] = true;
              return false;
            }
            case OnnxFields.Tensor.DATA_LOCATION ->
                external[0] |= int64(tag) == OnnxFields.Tensor.LOCATION_EXTERNAL;
            default -> {
              return false;
            }
          }
          return true;
        });
    long[] shape = dims.toArray();
    long count = elementCount(name[0], shape);
    OnnxProto.Tensor tensor =
        new OnnxProto.Tensor(
            name[0],
            shape,
            dataType[0],
            raw[0],
            floatData.toArray(),
            int64Data.toArray(),
            int32Data.toIntArray(),
            external[0]);
    if (!external[0]) {
      checkData(tensor, count, floatData.size(), int64Data.size(), int32Data.size());
    }
    return tensor;
  }

  private long elementCount(String name, long[] dims) throws OnnxImportException {
    if (dims.length > MAX_RANK) {
      throw invalid("tensor '" + name + "' has rank " + dims.length + ", above " + MAX_RANK);
    }
    long count = 1;
    for (long d : dims) {
      if (d < 0) {
        throw invalid("tensor '" + name + "' has a negative dimension: " + Arrays.toString(dims));
      }
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw invalid(
            "tensor '"
                + name
                + "' declares shape "
                + Arrays.toString(dims)
                + ", more than "
                + Integer.MAX_VALUE
                + " elements");
      }
    }
    return count;
  }

  /** The data must hold exactly the declared elements, for every element type we decode. */
  private void checkData(OnnxProto.Tensor tensor, long count, int floats, int int64s, int int32s)
      throws OnnxImportException {
    int elementBytes =
        switch (tensor.dataType()) {
          case OnnxFields.Tensor.TYPE_FLOAT, OnnxFields.Tensor.TYPE_INT32 -> 4;
          case OnnxFields.Tensor.TYPE_INT64 -> 8;
          case OnnxFields.Tensor.TYPE_BOOL -> 1;
          default -> 0; // not decoded: the importer rejects the type where it meets it
        };
    if (elementBytes == 0) {
      return;
    }
    long held;
    String unit;
    if (tensor.raw() != null) {
      held = tensor.raw().size();
      unit = "bytes of raw data";
      count *= elementBytes;
    } else {
      held =
          switch (tensor.dataType()) {
            case OnnxFields.Tensor.TYPE_FLOAT -> floats;
            case OnnxFields.Tensor.TYPE_INT64 -> int64s;
            default -> int32s;
          };
      unit = "elements";
    }
    if (held != count) {
      throw invalid(
          "tensor '"
              + tensor.name()
              + "' declares shape "
              + tensor.shapeText()
              + ", which needs "
              + count
              + " "
              + unit
              + ", but holds "
              + held);
    }
  }

  private OnnxProto.ValueInfo valueInfo() throws IOException, OnnxImportException {
    String[] name = {""};
    OnnxProto.ValueInfo[] typed = {null};
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.ValueInfo.NAME -> name[0] = string(tag);
            case OnnxFields.ValueInfo.TYPE -> typed[0] = message(tag, this::type);
            default -> {
              return false;
            }
          }
          return true;
        });
    return typed[0] == null
        ? new OnnxProto.ValueInfo(name[0], 0, null)
        : new OnnxProto.ValueInfo(name[0], typed[0].elemType(), typed[0].dims());
  }

  /** A {@code TypeProto}; anything but a tensor type leaves element type 0 and no shape. */
  private OnnxProto.ValueInfo type() throws IOException, OnnxImportException {
    OnnxProto.ValueInfo[] tensor = {new OnnxProto.ValueInfo("", 0, null)};
    fields(
        tag -> {
          if (WireFormat.getTagFieldNumber(tag) != OnnxFields.Type.TENSOR_TYPE) {
            return false;
          }
          tensor[0] = message(tag, this::tensorType);
          return true;
        });
    return tensor[0];
  }

  private OnnxProto.ValueInfo tensorType() throws IOException, OnnxImportException {
    int[] elemType = {0};
    List<List<OnnxProto.Dim>> shape = new ArrayList<>();
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.Type.TENSOR_ELEM_TYPE -> elemType[0] = (int) int64(tag);
            case OnnxFields.Type.TENSOR_SHAPE -> shape.add(message(tag, this::shape));
            default -> {
              return false;
            }
          }
          return true;
        });
    return new OnnxProto.ValueInfo("", elemType[0], shape.isEmpty() ? null : shape.getLast());
  }

  private List<OnnxProto.Dim> shape() throws IOException, OnnxImportException {
    List<OnnxProto.Dim> dims = new ArrayList<>();
    fields(
        tag -> {
          if (WireFormat.getTagFieldNumber(tag) != OnnxFields.TensorShape.DIM) {
            return false;
          }
          dims.add(message(tag, this::dimension));
          return true;
        });
    return dims;
  }

  private OnnxProto.Dim dimension() throws IOException, OnnxImportException {
    long[] value = {0};
    String[] param = {null};
    fields(
        tag -> {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case OnnxFields.TensorShape.DIM_VALUE -> {
              value[0] = int64(tag);
              param[0] = null;
            }
            case OnnxFields.TensorShape.DIM_PARAM -> param[0] = string(tag);
            default -> {
              return false;
            }
          }
          return true;
        });
    return new OnnxProto.Dim(value[0], param[0]);
  }

  /** A growable long array; what it holds was read from the file, so the file bounds its size. */
  private static final class LongList {
    private long[] values = new long[4];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }

    int[] toIntArray() {
      int[] ints = new int[size];
      for (int i = 0; i < size; i++) {
        ints[i] = (int) values[i];
      }
      return ints;
    }
  }

  /** A growable float array; a packed field reserves its whole length, already checked. */
  private static final class FloatList {
    private float[] values = new float[0];
    private int size;

    void reserve(int more) {
      if (size + more > values.length) {
        values = Arrays.copyOf(values, size + more);
      }
    }

    void add(float value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, Math.max(4, 2 * size));
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    float[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
