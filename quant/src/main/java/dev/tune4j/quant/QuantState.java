package dev.tune4j.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A 4-bit quantized tensor and everything needed to dequantize it: bitsandbytes'
 * {@code QuantState} together with the packed weight bytes.
 *
 * <p>Without double quantization the per-block scales are {@link #absmax()} (float32). With it
 * ({@code compress_statistics=True}, transformers' {@code bnb_4bit_use_double_quant}) they are
 * stored as 8-bit codes {@link #absmaxCodes()} of {@code absmax - offset} under the signed
 * dynamic map {@link #nestedQuantMap()}, one float32 {@link #nestedAbsmax()} per
 * {@link #nestedBlocksize()} codes; {@link #absmax()} is then null.
 *
 * <p>Arrays are shared, not copied: kernels read them directly. Treat them as read-only.
 *
 * <pre>{@code
 * // bitsandbytes: packed, state = F.quantize_4bit(W, blocksize=64, quant_type="nf4", compress_statistics=True)
 * QuantState state = Functional.quantize4bit(w, 64, "nf4", true);
 * state.quantStateJson();   // {"quant_type": "nf4", "blocksize": 64, "dtype": "float32", ...}
 * }</pre>
 *
 * @param packed          two codes per byte, the even element in the high nibble; {@code (n+1)/2} bytes
 * @param absmax          per-block absmax, without double quantization (else null)
 * @param absmaxCodes     8-bit codes of the centered absmax, with double quantization (else null)
 * @param nestedAbsmax    one scale per {@code nestedBlocksize} codes (double quantization, else null)
 * @param nestedQuantMap  the 256-entry signed dynamic map (double quantization, else null)
 * @param offset          the mean subtracted before the nested quantization ({@code nested_offset}); 0 without
 * @param quantMap        the 16-entry NF4 or FP4 table ({@code quant_map})
 * @param shape           the original tensor shape
 * @param dtype           the original tensor dtype, written into the quant-state JSON
 * @param blocksize       elements per first-level block
 * @param quantType       {@code "nf4"} or {@code "fp4"}
 * @param nestedBlocksize codes per nested block (256), or 0 without double quantization
 */
public record QuantState(byte[] packed, float[] absmax, byte[] absmaxCodes, float[] nestedAbsmax,
                         float[] nestedQuantMap, float offset, float[] quantMap, int[] shape, DType dtype,
                         int blocksize, String quantType, int nestedBlocksize) {

    /** The quant-state JSON keys bitsandbytes' {@code QuantState.from_dict} accepts. */
    private static final Set<String> JSON_KEYS = Set.of("quant_type", "blocksize", "dtype", "shape",
            "nested_blocksize", "nested_dtype", "nested_offset");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Checks that the parts agree with each other. */
    public QuantState {
        CodeTables.fourBitTableShared(quantType);
        Blockwise.checkBlocksize(blocksize, "4-bit");
        long n = Tensor.numel(shape);
        long blocks = (n + blocksize - 1) / blocksize;
        require(packed != null && packed.length == (n + 1) / 2, "packed weight", (n + 1) / 2 + " bytes",
                packed == null ? "none" : packed.length + " bytes");
        require(quantMap != null && quantMap.length == 16, "quant_map", "16 values",
                quantMap == null ? "none" : quantMap.length + " values");
        if (nestedBlocksize == 0) {
            require(absmax != null && absmax.length == blocks, "absmax", blocks + " float32 values",
                    absmax == null ? "none" : absmax.length + " values");
            require(absmaxCodes == null && nestedAbsmax == null && nestedQuantMap == null, "nested statistics",
                    "none without double quantization", "some");
        } else {
            Blockwise.checkBlocksize(nestedBlocksize, "nested");
            long nested = (blocks + nestedBlocksize - 1) / nestedBlocksize;
            require(absmax == null, "absmax", "uint8 codes with double quantization", "float32 values");
            require(absmaxCodes != null && absmaxCodes.length == blocks, "absmax", blocks + " uint8 codes",
                    absmaxCodes == null ? "none" : absmaxCodes.length + " codes");
            require(nestedAbsmax != null && nestedAbsmax.length == nested, "nested_absmax", nested + " values",
                    nestedAbsmax == null ? "none" : nestedAbsmax.length + " values");
            require(nestedQuantMap != null && nestedQuantMap.length == 256, "nested_quant_map", "256 values",
                    nestedQuantMap == null ? "none" : nestedQuantMap.length + " values");
        }
        shape = shape.clone();
    }

    private static void require(boolean ok, String what, String expected, String found) {
        if (!ok) {
            throw new IllegalArgumentException("inconsistent 4-bit quant state: " + what + " should hold " + expected
                    + ", found " + found);
        }
    }

    /** A copy of the original shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Element count of the original tensor. */
    public long numel() {
        return Tensor.numel(shape);
    }

    /** Number of first-level blocks. */
    public int blocks() {
        return (int) ((numel() + blocksize - 1) / blocksize);
    }

    /** True with double quantization (nested statistics). */
    public boolean nested() {
        return nestedBlocksize != 0;
    }

    /**
     * The scale of block {@code b} as bitsandbytes dequantizes it: the stored absmax, or with
     * double quantization {@code (nested_quant_map[code] * nested_absmax[b / 256]) + offset}, a
     * float32 multiply then a float32 add (not fused).
     */
    public float blockScale(int b) {
        if (nestedBlocksize == 0) {
            return absmax[b];
        }
        return nestedQuantMap[absmaxCodes[b] & 0xFF] * nestedAbsmax[b / nestedBlocksize] + offset;
    }

    /**
     * {@link #blockScale(int)} of blocks {@code [first, first + count)} into {@code out}, without
     * a division per block (the mat-vec asks for a row's scales at a time).
     */
    public void blockScales(int first, int count, float[] out) {
        if (nestedBlocksize == 0) {
            System.arraycopy(absmax, first, out, 0, count);
            return;
        }
        int nested = first / nestedBlocksize;
        int left = nestedBlocksize - first % nestedBlocksize;
        float scale = nestedAbsmax[nested];
        for (int i = 0; i < count; i++) {
            if (left == 0) {
                scale = nestedAbsmax[++nested];
                left = nestedBlocksize;
            }
            out[i] = nestedQuantMap[absmaxCodes[first + i] & 0xFF] * scale + offset;
            left--;
        }
    }

    /** All block scales ({@link #blockScale(int)} for every block). */
    public float[] dequantizedAbsmax() {
        float[] out = new float[blocks()];
        for (int b = 0; b < out.length; b++) {
            out[b] = blockScale(b);
        }
        return out;
    }

    /**
     * Storage cost in bits per parameter, per-tensor constants excluded: 4 bits per code plus
     * the block statistics (32 bits per block without double quantization; with it 8 bits per
     * block plus 32 bits per nested block). The QLoRA paper's 4.127 at blocksize 64 with double
     * quantization.
     */
    public double bitsPerParameter() {
        return Functional.bitsPerParameter(numel(), blocksize, nested());
    }

    /**
     * Bytes a checkpoint stores for this tensor: the packed weight, the statistics, the code
     * tables and the quant-state JSON (the sum of {@link #packedTensor()} and {@link #asDict()}).
     */
    public long storageBytes() {
        long bytes = packed.length + 16L * 4 + quantStateJson().getBytes(StandardCharsets.UTF_8).length;
        if (nested()) {
            bytes += absmaxCodes.length + 4L * nestedAbsmax.length + 256L * 4;
        } else {
            bytes += 4L * absmax.length;
        }
        return bytes;
    }

    /**
     * The JSON text bitsandbytes stores under {@code quant_state.bitsandbytes__<type>}: Python
     * {@code json.dumps} of quant_type, blocksize, dtype, shape and, with double quantization,
     * nested_blocksize, nested_dtype and nested_offset ({@code repr} of the float32 widened to
     * double).
     */
    public String quantStateJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("quant_type", quantType);
        m.put("blocksize", blocksize);
        m.put("dtype", dtype.torchName());
        m.put("shape", shape);
        if (nested()) {
            m.put("nested_blocksize", nestedBlocksize);
            m.put("nested_dtype", "float32");
            m.put("nested_offset", (double) offset);
        }
        return dev.tune4j.io.PythonJson.dumps(m, -1, false);
    }

    /** The suffix of the quant-state key: {@code "quant_state.bitsandbytes__nf4"} or {@code __fp4}. */
    public String quantStateKey() {
        return "quant_state.bitsandbytes__" + quantType;
    }

    /**
     * The statistics as a checkpoint stores them beside {@code P.weight}, keyed without the
     * {@code P.weight.} prefix: {@code absmax} (F32, or U8 with double quantization),
     * {@code quant_map}, {@code nested_absmax}, {@code nested_quant_map} (double quantization)
     * and {@code quant_state.bitsandbytes__<type>} (U8 UTF-8 JSON). Like bitsandbytes'
     * {@code QuantState.as_dict(packed=True)}.
     */
    public Map<String, Tensor> asDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (nested()) {
            m.put("absmax", u8(absmaxCodes));
        } else {
            m.put("absmax", Tensor.of(absmax.clone(), absmax.length));
        }
        m.put("quant_map", Tensor.of(quantMap.clone(), 16));
        if (nested()) {
            m.put("nested_absmax", Tensor.of(nestedAbsmax.clone(), nestedAbsmax.length));
            m.put("nested_quant_map", Tensor.of(nestedQuantMap.clone(), 256));
        }
        m.put(quantStateKey(), u8(quantStateJson().getBytes(StandardCharsets.UTF_8)));
        return m;
    }

    /** The packed weight as the checkpoint stores it: U8 {@code [(n+1)/2, 1]}. */
    public Tensor packedTensor() {
        return Tensor.wrap(MemorySegment.ofArray(packed.clone()), DType.U8, packed.length, 1);
    }

    private static Tensor u8(byte[] bytes) {
        return Tensor.wrap(MemorySegment.ofArray(bytes.clone()), DType.U8, bytes.length);
    }

    /**
     * Rebuilds a state from checkpoint tensors, like bitsandbytes'
     * {@code Params4bit.from_prequantized(data, quantized_stats)}.
     *
     * @param weight the packed U8 weight ({@code P.weight})
     * @param stats  the statistics keyed without the {@code P.weight.} prefix, as {@link #asDict()} writes them
     * @throws IllegalArgumentException naming the missing, unknown or inconsistent key
     */
    public static QuantState fromDict(Tensor weight, Map<String, Tensor> stats) {
        String stateKey = null;
        for (String k : stats.keySet()) {
            if (k.startsWith("quant_state.bitsandbytes__")) {
                if (stateKey != null) {
                    throw new IllegalArgumentException("expected exactly one quant_state.bitsandbytes__* key, found "
                            + stateKey + " and " + k);
                }
                stateKey = k;
            } else if (!Set.of("absmax", "quant_map", "nested_absmax", "nested_quant_map").contains(k)) {
                throw new IllegalArgumentException("unexpected 4-bit statistic '" + k + "'; expected absmax, quant_map,"
                        + " nested_absmax, nested_quant_map, quant_state.bitsandbytes__nf4|fp4");
            }
        }
        if (stateKey == null) {
            throw new IllegalArgumentException("missing quant_state.bitsandbytes__nf4 (or __fp4) among " + stats.keySet());
        }
        String json = new String(bytes(stats.get(stateKey), stateKey), StandardCharsets.UTF_8);
        Tensor absmaxT = need(stats, "absmax");
        boolean nested = json.contains("\"nested_offset\"");
        return fromParts(bytes(weight, "weight"),
                nested ? null : floats(absmaxT, "absmax"),
                nested ? bytes(absmaxT, "absmax") : null,
                nested ? floats(need(stats, "nested_absmax"), "nested_absmax") : null,
                nested ? floats(need(stats, "nested_quant_map"), "nested_quant_map") : null,
                floats(need(stats, "quant_map"), "quant_map"), json, stateKey);
    }

    /**
     * Rebuilds a state from raw parts and the quant-state JSON text.
     *
     * @param stateKey the key name the JSON came from, for messages (its suffix must match quant_type)
     */
    static QuantState fromParts(byte[] packed, float[] absmax, byte[] absmaxCodes, float[] nestedAbsmax,
                                float[] nestedQuantMap, float[] quantMap, String json, String stateKey) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(stateKey + " is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(stateKey + " must hold a JSON object, found: " + json);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!JSON_KEYS.contains(k)) {
                throw new IllegalArgumentException(stateKey + ": unexpected key '" + k + "'; expected " + JSON_KEYS);
            }
        }
        String quantType = text(node, "quant_type", stateKey);
        if (!stateKey.endsWith("__" + quantType)) {
            throw new IllegalArgumentException(stateKey + " holds quant_type \"" + quantType + "\"");
        }
        int blocksize = integer(node, "blocksize", stateKey);
        DType dtype = DType.fromTorchName(text(node, "dtype", stateKey));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IllegalArgumentException(stateKey + ": \"shape\" must be a list of ints, found " + shapeNode);
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToInt() || shapeNode.get(i).asInt() < 0) {
                throw new IllegalArgumentException(stateKey + ": bad dimension in shape " + shapeNode);
            }
            shape[i] = shapeNode.get(i).asInt();
        }
        boolean nested = node.has("nested_offset");
        int nestedBlocksize = 0;
        float offset = 0f;
        if (nested) {
            nestedBlocksize = integer(node, "nested_blocksize", stateKey);
            String nestedDtype = text(node, "nested_dtype", stateKey);
            if (!"float32".equals(nestedDtype)) {
                throw new IllegalArgumentException(stateKey + ": nested_dtype must be \"float32\", found \"" + nestedDtype + "\"");
            }
            JsonNode off = node.get("nested_offset");
            if (!off.isNumber()) {
                throw new IllegalArgumentException(stateKey + ": nested_offset must be a number, found " + off);
            }
            offset = (float) off.doubleValue();
        }
        return new QuantState(packed, absmax, absmaxCodes, nestedAbsmax, nestedQuantMap, offset, quantMap, shape,
                dtype, blocksize, quantType, nestedBlocksize);
    }

    private static Tensor need(Map<String, Tensor> stats, String key) {
        Tensor t = stats.get(key);
        if (t == null) {
            throw new IllegalArgumentException("missing 4-bit statistic '" + key + "' among " + stats.keySet());
        }
        return t;
    }

    private static String text(JsonNode node, String key, String stateKey) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(stateKey + ": \"" + key + "\" must be a string, found " + v);
        }
        return v.asText();
    }

    private static int integer(JsonNode node, String key, String stateKey) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(stateKey + ": \"" + key + "\" must be an int, found " + v);
        }
        return v.asInt();
    }

    private static byte[] bytes(Tensor t, String key) {
        if (t.dtype() != DType.U8) {
            throw new IllegalArgumentException("4-bit " + key + " must be U8, found " + t.dtype()
                    + " " + Arrays.toString(t.shape()));
        }
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    private static float[] floats(Tensor t, String key) {
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("4-bit " + key + " must be F32, found " + t.dtype()
                    + " " + Arrays.toString(t.shape()));
        }
        return t.toFloatArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantState q && Arrays.equals(packed, q.packed) && Arrays.equals(absmax, q.absmax)
                && Arrays.equals(absmaxCodes, q.absmaxCodes) && Arrays.equals(nestedAbsmax, q.nestedAbsmax)
                && Arrays.equals(nestedQuantMap, q.nestedQuantMap)
                && Float.floatToIntBits(offset) == Float.floatToIntBits(q.offset)
                && Arrays.equals(quantMap, q.quantMap) && Arrays.equals(shape, q.shape) && dtype == q.dtype
                && blocksize == q.blocksize && quantType.equals(q.quantType) && nestedBlocksize == q.nestedBlocksize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(packed) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "QuantState" + quantStateJson();
    }
}
