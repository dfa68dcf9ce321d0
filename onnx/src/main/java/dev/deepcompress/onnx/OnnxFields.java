package dev.deepcompress.onnx;

/**
 * The protobuf field numbers and enum values of the ONNX messages this module reads and writes, as
 * the ONNX IR specification defines them: {@code onnx/onnx.proto} of the ONNX repository (the
 * messages of {@code docs/IR.md}), checked against the copy shipped with ONNX 1.12. Field numbers
 * never change between ONNX releases, so one table serves every IR version.
 */
final class OnnxFields {
  private OnnxFields() {}

  /** {@code message ModelProto}. */
  static final class Model {
    static final int IR_VERSION = 1; // int64
    static final int PRODUCER_NAME = 2; // string
    static final int PRODUCER_VERSION = 3; // string
    static final int GRAPH = 7; // GraphProto
    static final int OPSET_IMPORT = 8; // repeated OperatorSetIdProto
    static final int METADATA_PROPS = 14; // repeated StringStringEntryProto

    private Model() {}
  }

  /** {@code message OperatorSetIdProto}. */
  static final class OperatorSetId {
    static final int DOMAIN = 1; // string
    static final int VERSION = 2; // int64

    private OperatorSetId() {}
  }

  /** {@code message StringStringEntryProto}. */
  static final class StringStringEntry {
    static final int KEY = 1; // string
    static final int VALUE = 2; // string

    private StringStringEntry() {}
  }

  /** {@code message GraphProto}. */
  static final class Graph {
    static final int NODE = 1; // repeated NodeProto
    static final int NAME = 2; // string
    static final int INITIALIZER = 5; // repeated TensorProto
    static final int INPUT = 11; // repeated ValueInfoProto
    static final int OUTPUT = 12; // repeated ValueInfoProto
    static final int SPARSE_INITIALIZER = 15; // repeated SparseTensorProto

    private Graph() {}
  }

  /** {@code message NodeProto}. */
  static final class Node {
    static final int INPUT = 1; // repeated string
    static final int OUTPUT = 2; // repeated string
    static final int NAME = 3; // string
    static final int OP_TYPE = 4; // string
    static final int ATTRIBUTE = 5; // repeated AttributeProto
    static final int DOMAIN = 7; // string

    private Node() {}
  }

  /** {@code message AttributeProto} and its {@code enum AttributeType}. */
  static final class Attribute {
    static final int NAME = 1; // string
    static final int F = 2; // float
    static final int I = 3; // int64
    static final int S = 4; // bytes
    static final int T = 5; // TensorProto
    static final int FLOATS = 7; // repeated float
    static final int INTS = 8; // repeated int64
    static final int TYPE = 20; // AttributeType

    static final int TYPE_FLOAT = 1;
    static final int TYPE_INT = 2;
    static final int TYPE_STRING = 3;
    static final int TYPE_TENSOR = 4;
    static final int TYPE_FLOATS = 6;
    static final int TYPE_INTS = 7;

    private Attribute() {}
  }

  /** {@code message TensorProto}, its {@code enum DataType} and {@code enum DataLocation}. */
  static final class Tensor {
    static final int DIMS = 1; // repeated int64
    static final int DATA_TYPE = 2; // int32 (DataType)
    static final int FLOAT_DATA = 4; // repeated float, packed
    static final int INT32_DATA = 5; // repeated int32, packed
    static final int INT64_DATA = 7; // repeated int64, packed
    static final int NAME = 8; // string
    static final int RAW_DATA = 9; // bytes, little-endian
    static final int EXTERNAL_DATA = 13; // repeated StringStringEntryProto
    static final int DATA_LOCATION = 14; // DataLocation

    static final int TYPE_FLOAT = 1;
    static final int TYPE_INT32 = 6;
    static final int TYPE_INT64 = 7;
    static final int TYPE_BOOL = 9;

    static final int LOCATION_EXTERNAL = 1;

    private Tensor() {}
  }

  /** {@code message ValueInfoProto}. */
  static final class ValueInfo {
    static final int NAME = 1; // string
    static final int TYPE = 2; // TypeProto

    private ValueInfo() {}
  }

  /** {@code message TypeProto} and its nested {@code message Tensor}. */
  static final class Type {
    static final int TENSOR_TYPE = 1; // TypeProto.Tensor (one of the value oneof)
    static final int TENSOR_ELEM_TYPE = 1; // TypeProto.Tensor.elem_type, int32 (DataType)
    static final int TENSOR_SHAPE = 2; // TypeProto.Tensor.shape, TensorShapeProto

    private Type() {}
  }

  /** {@code message TensorShapeProto} and its nested {@code message Dimension}. */
  static final class TensorShape {
    static final int DIM = 1; // repeated Dimension
    static final int DIM_VALUE = 1; // Dimension.dim_value, int64 (oneof value)
    static final int DIM_PARAM = 2; // Dimension.dim_param, string (oneof value)

    private TensorShape() {}
  }
}
