package dev.tune4j.io.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the header of a safetensors file held in a memory segment.
 *
 * <p>Validation follows the Rust crate ({@code SafeTensors::read_metadata} and
 * {@code Metadata::validate} in safetensors 0.4.5): a header length of at most 100 MB that fits
 * in the file, UTF-8 JSON, tensors which, sorted by offsets, start at 0, follow each other with
 * neither gap nor overlap, hold exactly {@code numel * dtype size} bytes, and end exactly at the
 * end of the file. Stricter than the crate, on purpose: duplicate keys, a tensor entry that is
 * not a JSON object, and dtype names in the wrong case are rejected; dimensions must fit in an
 * {@code int} because {@link Tensor} shapes are {@code int[]}.
 */
final class HeaderParser {
    /** The Rust crate's {@code MAX_HEADER_SIZE}. */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // A header may legitimately hold one long metadata string; the cap is the header cap.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_HEADER_SIZE).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private HeaderParser() {}

    /**
     * What a header says, validated against the file size.
     *
     * @param headerLength N, the JSON header's byte length (data starts at {@code 8 + N})
     * @param metadata     {@code __metadata__} in file order, or null when the key is absent
     * @param tensors      entries in data order (ascending offsets)
     */
    record Parsed(long headerLength, Map<String, String> metadata, List<TensorInfo> tensors) {}

    static Parsed parse(MemorySegment file, String source) {
        long size = file.byteSize();
        if (size < 8) {
            throw new SafetensorsException(source + ": file is " + size
                    + " bytes long, too short for the 8-byte header length that starts a safetensors file");
        }
        long n = file.get(Tensor.LE_LONG, 0);
        if (n < 0 || n > MAX_HEADER_SIZE) {
            throw new SafetensorsException(source + ": header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes (not a safetensors file, or corrupt)");
        }
        if (n > size - 8) {
            throw new SafetensorsException(source + ": header length " + n + " runs past the end of the file ("
                    + size + " bytes, so at most " + (size - 8) + " header bytes); the file is truncated or corrupt");
        }
        byte[] bytes = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(source + ": header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            String message = e.getOriginalMessage();
            String duplicate = "Duplicate field '";
            if (message != null && message.startsWith(duplicate) && message.endsWith("'") && isTopLevel(e)) {
                String key = message.substring(duplicate.length(), message.length() - 1);
                throw new SafetensorsException(source + ": " + (key.equals(METADATA_KEY) ? "" : "tensor ") + "'" + key
                        + "' appears more than once in the header", e);
            }
            throw new SafetensorsException(source + ": header is not valid JSON: " + message, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(source + ": header must be a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        Map<String, String> metadata = null;
        List<TensorInfo> tensors = new ArrayList<>(root.size());
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(field.getValue(), source);
            } else {
                tensors.add(tensor(field.getKey(), field.getValue(), source));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name, CodePointOrder.INSTANCE));
        validateLayout(tensors, size - 8 - n, source);
        return new Parsed(n, metadata, Collections.unmodifiableList(tensors));
    }

    /** True when the parser failed inside the header's top-level object (not inside an entry). */
    private static boolean isTopLevel(JacksonException e) {
        if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser) {
            var context = parser.getParsingContext();
            return context != null && context.getParent() != null && context.getParent().inRoot();
        }
        return false;
    }

    private static Map<String, String> metadata(JsonNode node, String source) {
        if (node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new SafetensorsException(source + ": " + METADATA_KEY + " must be an object of strings, found "
                    + kind(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(source + ": " + METADATA_KEY + " value for '" + e.getKey()
                        + "' must be a string, found " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo tensor(String name, JsonNode node, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsException(where + ": entry must be an object with dtype, shape and data_offsets, found "
                    + kind(node));
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(where + ": 'dtype' must be a string, found " + kind(dtypeNode));
        }
        DType dtype = dtype(dtypeNode.textValue(), where);
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsException(where + ": 'shape' must be an array of non-negative integers, found "
                    + kind(shapeNode));
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = unsigned(shapeNode.get(i), where + ": shape[" + i + "]");
            if (d > Integer.MAX_VALUE) {
                throw new SafetensorsException(where + ": shape[" + i + "] = " + d
                        + " exceeds the largest supported dimension " + Integer.MAX_VALUE);
            }
            shape[i] = (int) d;
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException(where + ": 'data_offsets' must be an array [begin, end], found "
                    + kind(offsets));
        }
        long begin = unsigned(offsets.get(0), where + ": data_offsets[0]");
        long end = unsigned(offsets.get(1), where + ": data_offsets[1]");
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(String name, String where) {
        // Exact names only, as the crate's serde enum does: "f32" is not a dtype there.
        for (DType d : DType.values()) {
            if (d.safetensorsName().equals(name)) {
                return d;
            }
        }
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        throw new SafetensorsException(where + ": unknown dtype '" + shown + "'; expected one of "
                + Arrays.toString(DType.values()));
    }

    private static long unsigned(JsonNode node, String what) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new SafetensorsException(what + " must be a non-negative integer below 2^63, found " + kind(node));
        }
        return node.longValue();
    }

    private static void validateLayout(List<TensorInfo> tensors, long dataLength, String source) {
        long cursor = 0;
        String previous = null;
        for (TensorInfo t : tensors) {
            String where = source + ": tensor '" + t.name() + "'";
            if (t.end() < t.begin()) {
                throw new SafetensorsException(where + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] have begin > end");
            }
            if (t.begin() < cursor) {
                throw new SafetensorsException(where + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + previous + "', which ends at " + cursor);
            }
            if (t.begin() > cursor) {
                throw new SafetensorsException(where + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] leave a hole of " + (t.begin() - cursor) + " bytes: expected begin " + cursor
                        + (previous == null ? " (the first tensor starts the data section)"
                                : " (the end of tensor '" + previous + "')"));
            }
            long expected = byteSize(t, where);
            if (t.end() - t.begin() != expected) {
                throw new SafetensorsException(where + ": shape " + Arrays.toString(t.shape()) + " of " + t.dtype()
                        + " needs " + expected + " bytes but data_offsets [" + t.begin() + ", " + t.end()
                        + "] span " + (t.end() - t.begin()));
            }
            cursor = t.end();
            previous = t.name();
        }
        if (cursor > dataLength) {
            throw new SafetensorsException(source + ": tensors need " + cursor + " data bytes but the file has "
                    + dataLength + " after the header; the file is truncated"
                    + (previous == null ? "" : " (tensor '" + previous + "' ends at " + cursor + ")"));
        }
        if (cursor < dataLength) {
            throw new SafetensorsException(source + ": the file has " + dataLength + " data bytes but its tensors cover "
                    + cursor + "; " + (dataLength - cursor) + " trailing bytes belong to no tensor");
        }
    }

    private static long byteSize(TensorInfo t, String where) {
        try {
            long n = t.dtype().byteSize();
            for (int d : t.shape()) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + ": shape " + Arrays.toString(t.shape()) + " of " + t.dtype()
                    + " overflows a 64-bit byte count");
        }
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String text = node.toString();
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
    }
}
