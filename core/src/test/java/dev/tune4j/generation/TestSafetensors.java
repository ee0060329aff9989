package dev.tune4j.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Minimal safetensors reader for these tests only (F32 and I64, whole file in memory). The
 * library's reader lives in the io package; this one exists so that the generation tests depend
 * on nothing but the golden files.
 */
final class TestSafetensors {
    private final Path file;
    private final ByteBuffer data;
    private final JsonNode header;

    private TestSafetensors(Path file, ByteBuffer data, JsonNode header) {
        this.file = file;
        this.data = data;
        this.header = header;
    }

    static TestSafetensors open(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long n = buf.getLong(0);
            if (n < 2 || n > bytes.length - 8) {
                throw new IllegalArgumentException(file + ": header length " + n + " does not fit in " + bytes.length + " bytes");
            }
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
            ByteBuffer body = ByteBuffer.wrap(bytes, 8 + (int) n, bytes.length - 8 - (int) n).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            return new TestSafetensors(file, body, header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shape of tensor {@code name}. */
    int[] shape(String name) {
        JsonNode shape = entry(name).get("shape");
        int[] s = new int[shape.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape.get(i).intValue();
        }
        return s;
    }

    /** A float32 tensor of rank 3, [a][b][c]. */
    float[][][] f32x3(String name) {
        JsonNode e = entry(name);
        expect(name, e, "F32", 4);
        int[] s = shape(name);
        if (s.length != 3) {
            throw new IllegalArgumentException(file + ": " + name + " has rank " + s.length + ", expected 3");
        }
        int begin = e.get("data_offsets").get(0).intValue();
        float[][][] out = new float[s[0]][s[1]][s[2]];
        int p = begin;
        for (int i = 0; i < s[0]; i++) {
            for (int j = 0; j < s[1]; j++) {
                for (int k = 0; k < s[2]; k++) {
                    out[i][j][k] = data.getFloat(p);
                    p += 4;
                }
            }
        }
        return out;
    }

    /** An int64 tensor of rank 2 narrowed to int, [a][b]. */
    int[][] i64x2(String name) {
        JsonNode e = entry(name);
        expect(name, e, "I64", 8);
        int[] s = shape(name);
        int begin = e.get("data_offsets").get(0).intValue();
        int[][] out = new int[s[0]][s[1]];
        int p = begin;
        for (int i = 0; i < s[0]; i++) {
            for (int j = 0; j < s[1]; j++) {
                out[i][j] = Math.toIntExact(data.getLong(p));
                p += 8;
            }
        }
        return out;
    }

    private JsonNode entry(String name) {
        JsonNode e = header.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + ": no tensor " + name);
        }
        return e;
    }

    private void expect(String name, JsonNode e, String dtype, int width) {
        if (!dtype.equals(e.get("dtype").asText())) {
            throw new IllegalArgumentException(file + ": " + name + " is " + e.get("dtype") + ", expected " + dtype);
        }
        long count = 1;
        for (int d : shape(name)) {
            count *= d;
        }
        long begin = e.get("data_offsets").get(0).longValue();
        long end = e.get("data_offsets").get(1).longValue();
        if (end - begin != count * width || begin < 0 || end > data.capacity()) {
            throw new IllegalArgumentException(file + ": " + name + " offsets [" + begin + ", " + end
                    + ") do not match its shape or the file");
        }
    }
}
