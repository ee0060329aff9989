package dev.tune4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.train.TrainingArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A training recipe for {@code tune4j train RECIPE.json}: the model, the data, and the same option
 * names as the Python libraries.
 *
 * <pre>{@code
 * {
 *   "model": "path/to/model",            // omitted: the embedded default
 *   "dataset": "data.jsonl",             // .json or .jsonl; alpaca, sharegpt, messages, prompt/completion or text
 *   "max_length": 128, "packing": false, // trl SFTConfig
 *   "lora": {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj", "v_proj"]},   // peft LoraConfig; omitted: full fine-tuning
 *   "training_args": {"output_dir": "out", "learning_rate": 0.003, "max_steps": 100} // transformers TrainingArguments
 * }
 * }</pre>
 *
 * @param source where the recipe came from, for messages
 * @param model model folder, empty for the embedded default
 * @param dataset dataset file, empty for the embedded Alpaca dataset
 * @param maxLength SFTConfig max_length
 * @param packing SFTConfig packing
 * @param lora the LoRA config, empty for full fine-tuning
 * @param trainingArgs the training arguments
 */
public record Recipe(String source, Optional<Path> model, Optional<Path> dataset, int maxLength, boolean packing,
                     Optional<LoraConfig> lora, TrainingArguments trainingArgs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a recipe file; relative paths in it are resolved against the file's folder. */
    public static Recipe load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the recipe " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /** Parses recipe JSON; relative paths are resolved against {@code base}. */
    public static Recipe parse(String text, String source, Path base) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        JsonNode ta = root.get("training_args");
        if (ta == null || !ta.isObject()) {
            throw new IllegalArgumentException(source + ": key 'training_args' should be an object of TrainingArguments"
                    + " (with at least output_dir), found " + ta);
        }
        ObjectNode args = ta.deepCopy();
        if (args.has("output_dir")) {
            args.put("output_dir", resolve(base, args.get("output_dir").asText()).toString());
        }
        Optional<LoraConfig> lora = Optional.empty();
        JsonNode l = root.get("lora");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) {
                throw new IllegalArgumentException(source + ": key 'lora' should be an object of LoraConfig fields, found " + l);
            }
            ObjectNode lc = l.deepCopy();
            if (!lc.has("peft_type")) {
                lc.put("peft_type", "LORA");
            }
            if (!lc.has("task_type")) {
                lc.put("task_type", "CAUSAL_LM");
            }
            lora = Optional.of(LoraConfig.fromJsonString(lc.toString()));
        }
        return new Recipe(source, text(root, "model", source).map(p -> resolve(base, p)),
                text(root, "dataset", source).map(p -> resolve(base, p)),
                root.path("max_length").asInt(1024), root.path("packing").asBoolean(false), lora,
                TrainingArguments.fromJson(args.toString()));
    }

    private static Optional<String> text(JsonNode root, String key, String source) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(source + ": key '" + key + "' should be a path (string), found " + n);
        }
        return Optional.of(n.textValue());
    }

    private static Path resolve(Path base, String p) {
        Path path = Path.of(p);
        return path.isAbsolute() || base == null ? path : base.resolve(path);
    }
}
