package dev.tune4j.backend.onnx;

import dev.tune4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the flatbuffers of an {@code .onnx_adapter} file (schema in {@link OnnxAdapterWriter}).
 * Written by hand instead of with flatbuffers-java's generated accessors: those trust every offset
 * (flatbuffers-java has no verifier), while a file from elsewhere must give a clear error and never
 * a read outside the buffer. Every offset is checked here before it is followed.
 */
final class OnnxAdapterReader {
    private final ByteBuffer bb;
    private final String source;

    private OnnxAdapterReader(byte[] bytes, String source) {
        this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    static OnnxAdapterFile read(byte[] bytes, String source) {
        return new OnnxAdapterReader(bytes, source).adapter();
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(source + ": not a valid " + OnnxAdapterFile.EXTENSION + " file: " + what);
    }

    private OnnxAdapterFile adapter() {
        if (bb.capacity() < 12) {
            throw bad(bb.capacity() + " bytes is too short for a flatbuffer");
        }
        String id = new String(bytes(4, 4), StandardCharsets.ISO_8859_1);
        if (!id.equals(OnnxAdapterWriter.IDENTIFIER)) {
            throw bad("file identifier is '" + printable(id) + "', expected '" + OnnxAdapterWriter.IDENTIFIER + "'");
        }
        int root = target(0, "root table");
        int format = intField(root, 0, "format_version");
        if (format != OnnxAdapterFile.FORMAT_VERSION) {
            throw bad("format_version is " + format + "; ONNX Runtime 1.23 reads version " + OnnxAdapterFile.FORMAT_VERSION);
        }
        int adapterVersion = intField(root, 1, "adapter_version");
        int modelVersion = intField(root, 2, "model_version");
        Map<String, Tensor> params = new LinkedHashMap<>();
        int list = field(root, 3);
        if (list != 0) {
            int vec = target(list, "parameters");
            int n = vectorLength(vec, 4, "parameters");
            for (int i = 0; i < n; i++) {
                int p = target(vec + 4 + 4 * i, "parameter " + i);
                String name = string(p, "parameter " + i + " name");
                if (name.isEmpty()) {
                    throw bad("parameter " + i + " has an empty name");
                }
                if (params.containsKey(name)) {
                    throw bad("parameter '" + name + "' appears twice");
                }
                params.put(name, tensor(p, name));
            }
        }
        return new OnnxAdapterFile(adapterVersion, modelVersion, params);
    }

    private Tensor tensor(int table, String name) {
        int dimsField = field(table, 1);
        if (dimsField == 0) {
            throw bad("parameter '" + name + "' has no dims");
        }
        int dims = target(dimsField, name + " dims");
        int rank = vectorLength(dims, 8, name + " dims");
        int[] shape = new int[rank];
        long numel = 1;
        for (int d = 0; d < rank; d++) {
            long v = bb.getLong(dims + 4 + 8 * d);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw bad("parameter '" + name + "' has dimension " + v);
            }
            shape[d] = (int) v;
            numel *= v;
            if (numel > Integer.MAX_VALUE) {
                throw bad("parameter '" + name + "' of shape " + Arrays.toString(Arrays.copyOf(shape, d + 1)) + " is too large");
            }
        }
        int type = intField(table, 2, name + " data_type");
        if (type != OnnxAdapterWriter.FLOAT) {
            throw bad("parameter '" + name + "' has data_type " + type + "; the tune4j graphs take float32 (1)");
        }
        int rawField = field(table, 3);
        int length = 0;
        int raw = 0;
        if (rawField != 0) {
            raw = target(rawField, name + " raw_data");
            length = vectorLength(raw, 1, name + " raw_data");
        }
        if (length != numel * Float.BYTES) {
            throw bad("parameter '" + name + "' of shape " + Arrays.toString(shape) + " needs " + numel * Float.BYTES
                    + " bytes of float32 data, found " + length);
        }
        float[] data = new float[(int) numel];
        bb.slice(raw + 4, length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return Tensor.of(data, shape);
    }

    /** The absolute position of field {@code id} of the table at {@code table}, or 0 when absent. */
    private int field(int table, int id) {
        long vtable = (long) table - bb.getInt(table);
        if (vtable < 0 || vtable + 4 > bb.capacity()) {
            throw bad("table at " + table + " has its vtable outside the file");
        }
        int vsize = Short.toUnsignedInt(bb.getShort((int) vtable));
        int tsize = Short.toUnsignedInt(bb.getShort((int) vtable + 2));
        if (vsize < 4 || vsize % 2 != 0 || vtable + vsize > bb.capacity() || (long) table + tsize > bb.capacity()) {
            throw bad("table at " + table + " has a malformed vtable");
        }
        int slot = 4 + 2 * id;
        if (slot + 2 > vsize) {
            return 0;
        }
        int off = Short.toUnsignedInt(bb.getShort((int) vtable + slot));
        if (off == 0) {
            return 0;
        }
        if (off + 4 > tsize) {
            throw bad("field " + id + " of the table at " + table + " lies outside the table");
        }
        return table + off;
    }

    private int intField(int table, int id, String what) {
        int pos = field(table, id);
        return pos == 0 ? 0 : bb.getInt(pos);
    }

    /** Follows the unsigned 32-bit offset stored at {@code pos} (relative to pos). */
    private int target(int pos, String what) {
        if (pos < 0 || pos + 4L > bb.capacity()) {
            throw bad(what + ": offset at " + pos + " lies outside the file");
        }
        long t = pos + Integer.toUnsignedLong(bb.getInt(pos));
        if (t + 4 > bb.capacity()) {
            throw bad(what + " points to " + t + ", past the end of the file (" + bb.capacity() + " bytes)");
        }
        return (int) t;
    }

    private int vectorLength(int vec, int elementSize, String what) {
        long n = Integer.toUnsignedLong(bb.getInt(vec));
        if (vec + 4L + n * elementSize > bb.capacity()) {
            throw bad(what + " claims " + n + " elements, past the end of the file");
        }
        return (int) n;
    }

    private String string(int table, String what) {
        int pos = field(table, 0);
        if (pos == 0) {
            throw bad(what + " is missing");
        }
        int s = target(pos, what);
        int n = vectorLength(s, 1, what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(s + 4, n))).toString();
        } catch (CharacterCodingException e) {
            throw bad(what + " is not UTF-8");
        }
    }

    private byte[] bytes(int pos, int n) {
        byte[] out = new byte[n];
        bb.get(pos, out);
        return out;
    }

    private static String printable(String s) {
        return s.chars().allMatch(c -> c >= 32 && c < 127) ? s : "0x" + java.util.HexFormat.of().formatHex(
                s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
