package dev.tune4j.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Minimal read-only access to the reference safetensors files of these tests (the library's own
 * reader lives in core). Reads the whole file; the golden files are small.
 */
final class GoldenTensors {
    private final byte[] data;
    private final long dataStart;
    private final JsonNode header;

    private GoldenTensors(byte[] data, long dataStart, JsonNode header) {
        this.data = data;
        this.dataStart = dataStart;
        this.header = header;
    }

    static GoldenTensors open(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        return new GoldenTensors(bytes, 8 + n, header);
    }

    List<String> keys() {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("__metadata__")) {
                out.add(k);
            }
        }
        return out;
    }

    boolean has(String key) {
        return header.has(key);
    }

    String dtype(String key) {
        return entry(key).get("dtype").asText();
    }

    int[] shape(String key) {
        JsonNode s = entry(key).get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asInt();
        }
        return out;
    }

    byte[] bytes(String key) {
        JsonNode off = entry(key).get("data_offsets");
        int a = (int) (dataStart + off.get(0).asLong());
        int b = (int) (dataStart + off.get(1).asLong());
        return Arrays.copyOfRange(data, a, b);
    }

    float[] floats(String key) {
        if (!dtype(key).equals("F32")) {
            throw new IllegalArgumentException(key + " is " + dtype(key) + ", not F32");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes(key)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(out);
        return out;
    }

    private JsonNode entry(String key) {
        JsonNode e = header.get(key);
        if (e == null) {
            throw new IllegalArgumentException("no tensor '" + key + "' in the golden file");
        }
        return e;
    }
}
