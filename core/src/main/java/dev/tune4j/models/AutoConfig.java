package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads config.json and picks the config class by {@code model_type}. */
public final class AutoConfig {
    /** The {@code model_type} values tune4j can load. */
    public static final List<String> SUPPORTED = List.of("llama", "mistral", "qwen2", "gpt2");

    private static final ObjectMapper JSON = new ObjectMapper();

    private AutoConfig() {}

    /** Reads {@code dir/config.json}. */
    public static ModelConfig fromPretrained(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve("config.json") : dir;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no config.json at " + file);
        }
        try {
            return fromJson(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Parses config JSON text; {@code source} names it in error messages. */
    public static ModelConfig fromJson(String json, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        ConfigReader r = new ConfigReader((ObjectNode) node, source);
        String type = r.getString("model_type", null);
        if (type == null) {
            throw new IllegalArgumentException(source + ": key 'model_type' is missing; supported: " + SUPPORTED);
        }
        return switch (type) {
            case "llama", "mistral", "qwen2" -> new LlamaConfig(r);
            case "gpt2" -> new Gpt2Config(r);
            default -> throw new IllegalArgumentException(source + ": model_type '" + type
                    + "' is not supported; supported model types: " + SUPPORTED);
        };
    }
}
