package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Access to a golden tiny model folder of ../shared/golden and its recorded outputs. */
final class GoldenModels implements AutoCloseable {
    final Path dir;
    final JsonNode expected;
    final SafetensorsFile tensors;

    GoldenModels(String name) {
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
        int rows = t.dim(0);
        int cols = t.dim(1);
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = (int) t.getLong((long) r * cols + c);
            }
        }
        return out;
    }

    static int[][] intRows(JsonNode n) {
        int[][] out = new int[n.size()][];
        for (int r = 0; r < n.size(); r++) {
            out[r] = new int[n.get(r).size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = n.get(r).get(c).asInt();
            }
        }
        return out;
    }

    /** A flat JSON list of ids. */
    static int[] intRow(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
