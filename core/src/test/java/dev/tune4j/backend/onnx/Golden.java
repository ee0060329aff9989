package dev.tune4j.backend.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A golden tiny model folder of ../shared/golden and what transformers recorded for it. */
final class Golden implements AutoCloseable {
    final Path dir;
    final JsonNode expected;
    private final SafetensorsFile tensors;

    Golden(String name) {
        this.dir = SharedData.require("golden/" + name);
        try {
            this.expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.tensors = SafetensorsFile.open(dir.resolve("expected.safetensors"));
    }

    Tensor tensor(String key) {
        return tensors.tensor(key);
    }

    /** An I64 [rows, cols] tensor as int rows. */
    int[][] ints(String key) {
        Tensor t = tensor(key);
        int[][] out = new int[t.dim(0)][t.dim(1)];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = (int) t.getLong((long) r * out[r].length + c);
            }
        }
        return out;
    }

    /** A JSON array of rows (or one row, wrapped) as int rows. */
    static int[][] rows(JsonNode n) {
        if (!n.get(0).isArray()) {
            return new int[][] {row(n)};
        }
        int[][] out = new int[n.size()][];
        for (int r = 0; r < n.size(); r++) {
            out[r] = row(n.get(r));
        }
        return out;
    }

    private static int[] row(JsonNode n) {
        int[] out = new int[n.size()];
        for (int c = 0; c < out.length; c++) {
            out[c] = n.get(c).asInt();
        }
        return out;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
