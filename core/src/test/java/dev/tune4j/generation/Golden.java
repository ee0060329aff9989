package dev.tune4j.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Access to the generation goldens in shared/golden (trainer/generation.* and llama_tiny/expected.*). */
final class Golden {
    private Golden() {}

    static JsonNode generationJson() {
        return readJson(SharedData.require("golden/trainer/generation.json"));
    }

    static TestSafetensors generationTensors() {
        return TestSafetensors.open(SharedData.require("golden/trainer/generation.safetensors"));
    }

    static JsonNode llamaExpectedJson() {
        return readJson(SharedData.require("golden/llama_tiny/expected.json"));
    }

    static TestSafetensors llamaExpectedTensors() {
        return TestSafetensors.open(SharedData.require("golden/llama_tiny/expected.safetensors"));
    }

    static JsonNode readJson(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A float vector where the string "-inf" stands for negative infinity. */
    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (v.isTextual()) {
                if (!"-inf".equals(v.asText())) {
                    throw new IllegalArgumentException("unexpected string " + v + " in a float vector");
                }
                out[i] = Float.NEGATIVE_INFINITY;
            } else {
                out[i] = (float) v.doubleValue(); // the doubles hold float32 values exactly
            }
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    static int[][] ints2(JsonNode array) {
        int[][] out = new int[array.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(array.get(i));
        }
        return out;
    }
}
