package dev.tune4j.backend.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX graph: nodes with fresh value names, small constants stored in the model,
 * weights declared as external initializers (their bytes are handed to the session separately,
 * so the serialized model stays small).
 */
final class GraphBuilder {
    /** The default-domain opset: Gelu with approximate="tanh" needs 20. */
    static final int OPSET = 21;
    /** IR version matching {@link #OPSET}. */
    static final int IR_VERSION = 10;

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("tune4j");
    private final List<String> usedDomains = new ArrayList<>();
    private int counter;

    String fresh(String hint) {
        return hint + "_" + counter++;
    }

    /** Adds a node and returns the name of its (first) output. */
    String node(String op, List<String> inputs, Attr... attrs) {
        return nodeN(op, "", inputs, 1, attrs)[0];
    }

    /** A node of {@code domain} with {@code outputs} outputs. */
    String[] nodeN(String op, String domain, List<String> inputs, int outputs, Attr... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(fresh(op));
        if (!domain.isEmpty()) {
            n.setDomain(domain);
            if (!usedDomains.contains(domain)) {
                usedDomains.add(domain);
            }
        }
        n.addAllInput(inputs);
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = fresh(op.toLowerCase(java.util.Locale.ROOT));
            n.addOutput(outs[i]);
        }
        for (Attr a : attrs) {
            n.addAttribute(a.proto());
        }
        graph.addNode(n);
        return outs;
    }

    /**
     * Removes the last node added when its first output is {@code output} (so nothing has consumed
     * it yet) and returns that node's inputs; null, and nothing removed, otherwise.
     */
    List<String> removeLastNodeProducing(String output) {
        int last = graph.getNodeCount() - 1;
        if (last < 0 || !graph.getNode(last).getOutput(0).equals(output)) {
            return null;
        }
        List<String> inputs = List.copyOf(graph.getNode(last).getInputList());
        graph.removeNode(last);
        return inputs;
    }

    /** Renames a value by an Identity node (graph outputs get stable names). */
    void identity(String from, String to) {
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName(fresh("Identity"))
                .addInput(from).addOutput(to));
    }

    /** An int64 constant (shapes, axes, split sizes). */
    String longs(long... values) {
        String name = fresh("const_i64");
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).addDims(values.length)
                .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    /** A float32 scalar constant. */
    String scalar(float value) {
        String name = fresh("const_f32");
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    /** A float32 vector constant (a small lookup table). */
    String floats(float... values) {
        String name = fresh("const_f32");
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).addDims(values.length)
                .setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    /** A uint8 scalar constant (a bit count or mask for the bitwise ops). */
    String uint8(int value) {
        String name = fresh("const_u8");
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(UINT8)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) value})));
        return name;
    }

    /**
     * Declares a float32 weight without its bytes: marked as ONNX external data so the model stays
     * small; the session gets the values from {@code SessionOptions.addInitializer}, which takes
     * precedence over what the model holds.
     */
    void weight(String name, int[] shape) {
        weight(name, FLOAT, 4, shape);
    }

    /**
     * {@link #weight(String, int[])} for a weight of another ONNX element type, such as the uint8
     * packed codes of a 4-bit weight.
     */
    void weight(String name, int onnxType, int elementBytes, int[] shape) {
        long bytes = elementBytes;
        for (int d : shape) {
            bytes *= d;
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(onnxType)
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "tune4j-weights.bin"))
                .addExternalData(entry("offset", "0"))
                .addExternalData(entry("length", Long.toString(bytes)));
        for (int d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
    }

    /**
     * A float32 initializer stored in the model, of a shape with a zero dimension (so no data): the
     * default of an overridable initializer, a graph input of the same name.
     */
    void emptyInitializer(String name, int... shape) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.EMPTY);
        for (int d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
    }

    private static OnnxMl.StringStringEntryProto entry(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** A graph input; a null dim entry is symbolic and named by {@code dimNames}. */
    void input(String name, int onnxType, Object... dims) {
        graph.addInput(valueInfo(name, onnxType, dims));
    }

    void output(String name, int onnxType, Object... dims) {
        graph.addOutput(valueInfo(name, onnxType, dims));
    }

    /** dims: Integer for a fixed size, String for a symbolic (dynamic) axis. */
    private static OnnxMl.ValueInfoProto valueInfo(String name, int onnxType, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            var dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam((String) d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(onnxType).setShape(shape))).build();
    }

    /** The serialized ModelProto. */
    byte[] toBytes() {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION)
                .setProducerName("tune4j").setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        for (String d : usedDomains) {
            m.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1));
        }
        return m.build().toByteArray();
    }

    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    static final int UINT8 = OnnxMl.TensorProto.DataType.UINT8_VALUE;

    /** A node attribute. */
    record Attr(String name, Object value) {
        static Attr of(String name, Object value) {
            return new Attr(name, value);
        }

        OnnxMl.AttributeProto proto() {
            var a = OnnxMl.AttributeProto.newBuilder().setName(name);
            switch (value) {
                case Integer i -> a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(i);
                case Long l -> a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
                case Float f -> a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
                case String s -> a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
                case long[] ls -> {
                    a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
                    for (long l : ls) {
                        a.addInts(l);
                    }
                }
                default -> throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
            }
            return a.build();
        }
    }
}
