import Foundation
import Support

// The subset of ONNX's protobuf schema ftx writes, with the field numbers of
// onnx/onnx's `onnx/onnx.proto` (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
// Plain values; `ONNXModel.serialized()` is the one place that knows the numbers.

/// `TensorProto.DataType` values ftx uses.
enum ONNXDataType: Int {
    case float = 1
    case int64 = 7
    case bool = 9
    case double = 11
}

/// A node attribute (`AttributeProto`), typed by its payload.
enum ONNXAttributeValue {
    case int(Int)
    case float(Float)
    case ints([Int])

    /// `AttributeProto.AttributeType`.
    var typeCode: UInt64 {
        switch self {
        case .float: return 1
        case .int: return 2
        case .ints: return 7
        }
    }
}

/// One operator application (`NodeProto`) in the default `ai.onnx` domain.
struct ONNXNode {
    var opType: String
    var inputs: [String]
    var outputs: [String]
    var name: String
    var attributes: [(name: String, value: ONNXAttributeValue)] = []
}

/// A constant tensor (`TensorProto`) stored as little-endian `raw_data`.
struct ONNXInitializer {
    var name: String
    var dataType: ONNXDataType
    var dims: [Int]
    var raw: Data
}

/// One axis of a graph input's or output's shape: a size or a named dynamic axis.
enum ONNXDimension {
    case fixed(Int)
    case dynamic(String)
}

/// A graph input or output (`ValueInfoProto` with a tensor type).
struct ONNXValueInfo {
    var name: String
    var elementType: ONNXDataType
    var shape: [ONNXDimension]
}

/// A model: one graph, one opset import of the default domain.
struct ONNXModel {
    /// ONNX 1.12's IR version (8), the one that introduced opset 17.
    static let irVersion: Int64 = 8
    /// `ai.onnx` opset 17 (ONNX 1.12): the first with `LayerNormalization`, so a
    /// BERT layer norm is one node with the epsilon as an attribute; onnxruntime has
    /// run it since 1.12. (`Gelu` arrived only in opset 20, so GELU is spelt out.)
    static let opset: Int64 = 17

    var producerVersion: String
    var docString: String
    var graphName: String
    var nodes: [ONNXNode]
    var initializers: [ONNXInitializer]
    var inputs: [ONNXValueInfo]
    var outputs: [ONNXValueInfo]

    /// The `ModelProto` bytes.
    func serialized() -> Data {
        var model = ProtobufWriter()
        model.int64(1, Self.irVersion)                       // ir_version
        model.string(2, "ftx")                               // producer_name
        model.string(3, producerVersion)                     // producer_version
        model.string(6, docString)                           // doc_string
        model.message(7) { graph in                          // graph
            for node in nodes { graph.message(1) { Self.write(node, to: &$0) } }          // node
            graph.string(2, graphName)                                                    // name
            for t in initializers { graph.message(5) { Self.write(t, to: &$0) } }         // initializer
            for v in inputs { graph.message(11) { Self.write(v, to: &$0) } }              // input
            for v in outputs { graph.message(12) { Self.write(v, to: &$0) } }             // output
        }
        model.message(8) { opset in                          // opset_import
            opset.string(1, "")                              // domain: "" = ai.onnx
            opset.int64(2, Self.opset)                       // version
        }
        return model.data
    }

    private static func write(_ node: ONNXNode, to w: inout ProtobufWriter) {
        for i in node.inputs { w.string(1, i) }             // input
        for o in node.outputs { w.string(2, o) }            // output
        w.string(3, node.name)                              // name
        w.string(4, node.opType)                            // op_type
        for (name, value) in node.attributes {
            w.message(5) { a in                             // attribute
                a.string(1, name)                           // name
                switch value {
                case let .float(f): a.float(2, f)           // f
                case let .int(i): a.int64(3, Int64(i))      // i
                case let .ints(list): a.packedInt64s(8, list.map(Int64.init))  // ints
                }
                a.uint64(20, value.typeCode)                // type
            }
        }
    }

    private static func write(_ t: ONNXInitializer, to w: inout ProtobufWriter) {
        w.packedInt64s(1, t.dims.map(Int64.init))           // dims
        w.int64(2, Int64(t.dataType.rawValue))              // data_type
        w.string(8, t.name)                                 // name
        w.bytes(9, t.raw)                                   // raw_data
    }

    private static func write(_ v: ONNXValueInfo, to w: inout ProtobufWriter) {
        w.string(1, v.name)                                 // name
        w.message(2) { type in                              // type: TypeProto
            type.message(1) { tensor in                     // tensor_type
                tensor.int64(1, Int64(v.elementType.rawValue))  // elem_type
                tensor.message(2) { shape in                // shape: TensorShapeProto
                    for d in v.shape {
                        shape.message(1) { dim in           // dim
                            switch d {
                            case let .fixed(n): dim.int64(1, Int64(n))   // dim_value
                            case let .dynamic(name): dim.string(2, name) // dim_param
                            }
                        }
                    }
                }
            }
        }
    }
}
