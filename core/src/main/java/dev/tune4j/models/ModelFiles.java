package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.io.PythonJson;
import java.io.IOException;
import java.nio.file.Path;

/** JSON files of a model folder, written the way transformers writes them. */
public final class ModelFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /** {@code json.dumps(obj, indent=2, sort_keys=True) + "\n"}, as transformers writes its JSON files. */
    public static String pythonJson(JsonNode node) {
        return PythonJson.dumps(node, 2, true) + "\n";
    }

    /** Writes {@link #pythonJson} through a temp file and an atomic rename. */
    public static void writeJsonAtomically(Path file, JsonNode node) throws IOException {
        writeStringAtomically(file, pythonJson(node));
    }

    /** Writes text through a temp file in the same folder and an atomic rename. */
    public static void writeStringAtomically(Path file, String text) throws IOException {
        try {
            dev.tune4j.io.AtomicFiles.writeString(file, text);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** What transformers derives when a model has no generation_config.json. */
    static ObjectNode generationConfigFrom(ModelConfig c) {
        ObjectNode g = JSON.createObjectNode();
        g.put("_from_model_config", true);
        if (c.bosTokenId() != null) {
            g.put("bos_token_id", c.bosTokenId());
        }
        if (c.eosTokenIds().size() == 1) {
            g.put("eos_token_id", c.eosTokenIds().get(0));
        } else if (!c.eosTokenIds().isEmpty()) {
            var arr = g.putArray("eos_token_id");
            c.eosTokenIds().forEach(arr::add);
        }
        if (c.padTokenId() != null) {
            g.put("pad_token_id", c.padTokenId());
        }
        JsonNode v = c.toJson().get("transformers_version");
        g.put("transformers_version", v != null ? v.asText() : "4.45.2");
        return g;
    }
}
