package dev.tune4j.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.io.PythonJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peft's {@code LoraConfig}: every field of adapter_config.json with peft 0.13's defaults.
 *
 * <pre>{@code
 * // peft: LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
 * LoraConfig config = LoraConfig.builder().r(16).loraAlpha(32)
 *         .targetModules("q_proj", "v_proj").taskType(TaskType.CAUSAL_LM).build();
 * }</pre>
 *
 * <p>{@code target_modules} is either a list of names, each matching a module whose full name equals
 * it or ends with {@code "." + name}, or one string that is a regular expression matched against
 * the whole module name ({@code re.fullmatch}); the string {@code "all-linear"} selects every
 * Linear and Conv1D layer except the output head.
 *
 * <p>{@link #toJson()} writes the keys peft 0.13 writes, so a saved adapter_config.json is
 * byte-identical to peft's ({@code json.dumps(indent=2, sort_keys=True)}). A list-valued
 * {@code target_modules} keeps its order (peft writes a Python set, in hash order, so any order
 * is valid). Newer keys that peft 0.13 does not know ({@code exclude_modules}) are written only
 * when set, because peft 0.13 rejects unknown keys. Reading ignores keys tune4j does not know, as
 * newer peft versions do.
 */
public final class LoraConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LoraConfig.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The file name peft uses ({@code CONFIG_NAME}). */
    public static final String CONFIG_NAME = "adapter_config.json";
    /** The shorthand that targets every linear layer but the output head. */
    public static final String ALL_LINEAR = "all-linear";

    private final JsonNode autoMapping;
    private final String baseModelNameOrPath;
    private final String revision;
    private final String taskType;
    private final boolean inferenceMode;
    private final int r;
    private final Number loraAlpha;
    private final double loraDropout;
    private final List<String> targetModules;
    private final String targetModulesRegex;
    private final List<String> excludeModules;
    private final String excludeModulesRegex;
    private final boolean fanInFanOut;
    private final String bias;
    private final boolean useRslora;
    private final List<String> modulesToSave;
    private final InitLoraWeights initLoraWeights;
    private final List<Integer> layersToTransform;
    private final boolean layersToTransformScalar;
    private final List<String> layersPattern;
    private final boolean layersPatternScalar;
    private final Map<String, Integer> rankPattern;
    private final Map<String, Number> alphaPattern;
    private final JsonNode megatronConfig;
    private final String megatronCore;
    private final JsonNode loftqConfig;
    private final boolean useDora;
    private final JsonNode layerReplication;

    private LoraConfig(Builder b) {
        this.autoMapping = b.autoMapping;
        this.baseModelNameOrPath = b.baseModelNameOrPath;
        this.revision = b.revision;
        this.taskType = b.taskType;
        this.inferenceMode = b.inferenceMode;
        this.r = b.r;
        this.loraAlpha = b.loraAlpha;
        this.loraDropout = b.loraDropout;
        this.targetModules = b.targetModules == null ? null : List.copyOf(b.targetModules);
        this.targetModulesRegex = b.targetModulesRegex;
        this.excludeModules = b.excludeModules == null ? null : List.copyOf(b.excludeModules);
        this.excludeModulesRegex = b.excludeModulesRegex;
        this.fanInFanOut = b.fanInFanOut;
        this.bias = b.bias;
        this.useRslora = b.useRslora;
        this.modulesToSave = b.modulesToSave == null ? null : List.copyOf(b.modulesToSave);
        this.initLoraWeights = b.initLoraWeights;
        this.layersToTransform = b.layersToTransform == null ? null : List.copyOf(b.layersToTransform);
        this.layersToTransformScalar = b.layersToTransformScalar;
        this.layersPattern = b.layersPattern == null ? null : List.copyOf(b.layersPattern);
        this.layersPatternScalar = b.layersPatternScalar;
        this.rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.rankPattern));
        this.alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.alphaPattern));
        this.megatronConfig = b.megatronConfig;
        this.megatronCore = b.megatronCore;
        this.loftqConfig = b.loftqConfig;
        this.useDora = b.useDora;
        this.layerReplication = b.layerReplication;
    }

    /** A builder with peft's defaults (r=8, lora_alpha=8, dropout 0, bias "none", ...). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values (peft: {@code dataclasses.replace}). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.autoMapping = autoMapping;
        b.baseModelNameOrPath = baseModelNameOrPath;
        b.revision = revision;
        b.taskType = taskType;
        b.inferenceMode = inferenceMode;
        b.r = r;
        b.loraAlpha = loraAlpha;
        b.loraDropout = loraDropout;
        b.targetModules = targetModules;
        b.targetModulesRegex = targetModulesRegex;
        b.excludeModules = excludeModules;
        b.excludeModulesRegex = excludeModulesRegex;
        b.fanInFanOut = fanInFanOut;
        b.bias = bias;
        b.useRslora = useRslora;
        b.modulesToSave = modulesToSave;
        b.initLoraWeights = initLoraWeights;
        b.layersToTransform = layersToTransform;
        b.layersToTransformScalar = layersToTransformScalar;
        b.layersPattern = layersPattern;
        b.layersPatternScalar = layersPatternScalar;
        b.rankPattern = new LinkedHashMap<>(rankPattern);
        b.alphaPattern = new LinkedHashMap<>(alphaPattern);
        b.megatronConfig = megatronConfig;
        b.megatronCore = megatronCore;
        b.loftqConfig = loftqConfig;
        b.useDora = useDora;
        b.layerReplication = layerReplication;
        return b;
    }

    // ---- accessors (peft field names in camelCase) ----

    /** Always {@code "LORA"}. */
    public String peftType() {
        return "LORA";
    }

    /** {@code auto_mapping}; null unless the file had one. */
    public JsonNode autoMapping() {
        return autoMapping;
    }

    /** {@code base_model_name_or_path}. */
    public Optional<String> baseModelNameOrPath() {
        return Optional.ofNullable(baseModelNameOrPath);
    }

    /** {@code revision}. */
    public Optional<String> revision() {
        return Optional.ofNullable(revision);
    }

    /** {@code task_type}, e.g. {@code "CAUSAL_LM"}. */
    public Optional<String> taskType() {
        return Optional.ofNullable(taskType);
    }

    /** {@code inference_mode}: adapter weights frozen. */
    public boolean inferenceMode() {
        return inferenceMode;
    }

    /** {@code r}, the rank. */
    public int r() {
        return r;
    }

    /** {@code lora_alpha}. */
    public double loraAlpha() {
        return loraAlpha.doubleValue();
    }

    /** {@code lora_dropout}. */
    public double loraDropout() {
        return loraDropout;
    }

    /** {@code target_modules} when it is a list; null when it is a regex or unset. */
    public List<String> targetModules() {
        return targetModules;
    }

    /** {@code target_modules} when it is a string (a full-match regex, or {@code "all-linear"}). */
    public Optional<String> targetModulesRegex() {
        return Optional.ofNullable(targetModulesRegex);
    }

    /** True when {@code target_modules} is {@code "all-linear"} (any case). */
    public boolean isAllLinear() {
        return targetModulesRegex != null && targetModulesRegex.toLowerCase(Locale.ROOT).equals(ALL_LINEAR);
    }

    /** {@code exclude_modules} as a list (newer peft; null when unset or a regex). */
    public List<String> excludeModules() {
        return excludeModules;
    }

    /** {@code exclude_modules} as a regex. */
    public Optional<String> excludeModulesRegex() {
        return Optional.ofNullable(excludeModulesRegex);
    }

    /** {@code fan_in_fan_out}: the target stores its weight [in, out] (GPT-2 Conv1D). */
    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    /** {@code bias}: {@code "none"}, {@code "all"} or {@code "lora_only"}. */
    public String bias() {
        return bias;
    }

    /** {@code use_rslora}: scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}. */
    public boolean useRslora() {
        return useRslora;
    }

    /** {@code modules_to_save}; null when unset. */
    public List<String> modulesToSave() {
        return modulesToSave;
    }

    /** {@code init_lora_weights}. */
    public InitLoraWeights initLoraWeights() {
        return initLoraWeights;
    }

    /** {@code layers_to_transform} as a list (a single int becomes a one-element list); null when unset. */
    public List<Integer> layersToTransform() {
        return layersToTransform;
    }

    /** {@code layers_pattern} as a list; null when unset. */
    public List<String> layersPattern() {
        return layersPattern;
    }

    /** {@code rank_pattern}: module-name pattern to rank. */
    public Map<String, Integer> rankPattern() {
        return rankPattern;
    }

    /** {@code alpha_pattern}: module-name pattern to alpha. */
    public Map<String, Number> alphaPattern() {
        return alphaPattern;
    }

    /** {@code megatron_config}; kept for round trips, not interpreted. */
    public JsonNode megatronConfig() {
        return megatronConfig;
    }

    /** {@code megatron_core}. */
    public String megatronCore() {
        return megatronCore;
    }

    /** {@code loftq_config}; kept for round trips. */
    public JsonNode loftqConfig() {
        return loftqConfig;
    }

    /** {@code use_dora}: weight-decomposed LoRA. */
    public boolean useDora() {
        return useDora;
    }

    /** {@code layer_replication}; kept for round trips (tune4j does not replicate layers). */
    public JsonNode layerReplication() {
        return layerReplication;
    }

    /** The scaling of a layer of rank {@code rank} and alpha {@code alpha} under this config. */
    public double scaling(int rank, double alpha) {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    // ---- JSON ----

    /** The adapter_config.json object (peft: {@code to_dict()}, sets written as lists). */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.set("alpha_pattern", mapNode(alphaPattern));
        o.set("auto_mapping", autoMapping == null ? f.nullNode() : autoMapping.deepCopy());
        putNullable(o, "base_model_name_or_path", baseModelNameOrPath);
        o.put("bias", bias);
        if (excludeModules != null) {
            o.set("exclude_modules", stringArray(excludeModules));
        } else if (excludeModulesRegex != null) {
            o.put("exclude_modules", excludeModulesRegex);
        }
        o.put("fan_in_fan_out", fanInFanOut);
        o.put("inference_mode", inferenceMode);
        if (initLoraWeights.isBoolean()) {
            o.put("init_lora_weights", Boolean.parseBoolean(initLoraWeights.value()));
        } else {
            o.put("init_lora_weights", initLoraWeights.value());
        }
        o.set("layer_replication", layerReplication == null ? f.nullNode() : layerReplication.deepCopy());
        if (layersPattern == null) {
            o.putNull("layers_pattern");
        } else if (layersPatternScalar) {
            o.put("layers_pattern", layersPattern.get(0));
        } else {
            o.set("layers_pattern", stringArray(layersPattern));
        }
        if (layersToTransform == null) {
            o.putNull("layers_to_transform");
        } else if (layersToTransformScalar) {
            o.put("layers_to_transform", layersToTransform.get(0));
        } else {
            ArrayNode a = o.putArray("layers_to_transform");
            layersToTransform.forEach(a::add);
        }
        o.set("loftq_config", loftqConfig == null ? f.objectNode() : loftqConfig.deepCopy());
        putNumber(o, "lora_alpha", loraAlpha);
        o.put("lora_dropout", loraDropout);
        o.set("megatron_config", megatronConfig == null ? f.nullNode() : megatronConfig.deepCopy());
        putNullable(o, "megatron_core", megatronCore);
        o.set("modules_to_save", modulesToSave == null ? f.nullNode() : stringArray(modulesToSave));
        o.put("peft_type", "LORA");
        o.put("r", r);
        o.set("rank_pattern", mapNode(rankPattern));
        putNullable(o, "revision", revision);
        if (targetModules != null) {
            o.set("target_modules", stringArray(targetModules));
        } else {
            putNullable(o, "target_modules", targetModulesRegex);
        }
        putNullable(o, "task_type", taskType);
        o.put("use_dora", useDora);
        o.put("use_rslora", useRslora);
        return o;
    }

    /** adapter_config.json text exactly as peft writes it: {@code json.dumps(d, indent=2, sort_keys=True)}, no final newline. */
    public String toJsonString() {
        return PythonJson.dumps(toJson(), 2, true);
    }

    /** Parses adapter_config.json text. */
    public static LoraConfig fromJsonString(String json) {
        try {
            return fromJson(JSON.readTree(json), "adapter_config.json text");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("adapter_config.json text is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads an adapter_config.json file. */
    public static LoraConfig fromJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Can't find '" + CONFIG_NAME + "' at '" + file + "'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return fromJson(root, file.toString());
    }

    /** peft: {@code LoraConfig.from_pretrained(dir)}, reading {@code dir/adapter_config.json}. */
    public static LoraConfig fromPretrained(Path dir) {
        return fromJson(dir.resolve(CONFIG_NAME));
    }

    /** Writes {@code dir/adapter_config.json} atomically (peft: {@code config.save_pretrained(dir)}). */
    public void savePretrained(Path dir) {
        try {
            Files.createDirectories(dir);
            dev.tune4j.models.ModelFiles.writeStringAtomically(dir.resolve(CONFIG_NAME), toJsonString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG_NAME), e);
        }
    }

    static LoraConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        JsonNode pt = root.get("peft_type");
        if (pt == null || pt.isNull()) {
            throw new IllegalArgumentException(source + ": no 'peft_type' key; this is not a peft adapter config");
        }
        if (!pt.isTextual() || !pt.textValue().equals("LORA")) {
            throw new IllegalArgumentException(source + ": peft_type is " + pt + ", expected \"LORA\"; tune4j reads LoRA "
                    + "adapters (LoraConfig) only");
        }
        Builder b = builder();
        Reader rd = new Reader(root, source);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "peft_type" -> { }
                case "auto_mapping" -> b.autoMapping = v.isNull() ? null : v;
                case "base_model_name_or_path" -> b.baseModelNameOrPath = rd.stringOrNull(k);
                case "revision" -> b.revision = rd.stringOrNull(k);
                case "task_type" -> b.taskType = rd.stringOrNull(k);
                case "inference_mode" -> b.inferenceMode = rd.bool(k);
                case "r" -> b.r = rd.integer(k);
                case "lora_alpha" -> b.loraAlpha = rd.number(k);
                case "lora_dropout" -> b.loraDropout = rd.number(k).doubleValue();
                case "target_modules" -> {
                    if (v.isNull()) {
                        b.targetModules = null;
                        b.targetModulesRegex = null;
                    } else if (v.isTextual()) {
                        b.targetModulesRegex = v.textValue();
                    } else {
                        b.targetModules = rd.stringList(k);
                    }
                }
                case "exclude_modules" -> {
                    if (v.isTextual()) {
                        b.excludeModulesRegex = v.textValue();
                    } else if (!v.isNull()) {
                        b.excludeModules = rd.stringList(k);
                    }
                }
                case "fan_in_fan_out" -> b.fanInFanOut = rd.bool(k);
                case "bias" -> b.bias = rd.stringOrNull(k);
                case "use_rslora" -> b.useRslora = rd.bool(k);
                case "modules_to_save" -> b.modulesToSave = v.isNull() ? null : rd.stringList(k);
                case "init_lora_weights" -> b.initLoraWeights = v.isBoolean()
                        ? InitLoraWeights.of(v.booleanValue()) : new InitLoraWeights(rd.stringOrNull(k));
                case "layers_to_transform" -> {
                    if (v.isIntegralNumber()) {
                        b.layersToTransform(v.intValue());
                    } else if (!v.isNull()) {
                        b.layersToTransform(rd.intList(k));
                    }
                }
                case "layers_pattern" -> {
                    if (v.isTextual()) {
                        b.layersPattern(v.textValue());
                    } else if (!v.isNull()) {
                        b.layersPattern(rd.stringList(k));
                    }
                }
                case "rank_pattern" -> b.rankPattern = rd.intMap(k);
                case "alpha_pattern" -> b.alphaPattern = rd.numberMap(k);
                case "megatron_config" -> b.megatronConfig = v.isNull() ? null : v;
                case "megatron_core" -> b.megatronCore = rd.stringOrNull(k);
                case "loftq_config" -> b.loftqConfig = v.isNull() ? null : v;
                case "use_dora" -> b.useDora = rd.bool(k);
                case "layer_replication" -> b.layerReplication = v.isNull() ? null : v;
                case "runtime_config" -> LOG.warn("{}: the configuration file contains a `runtime_config` key; it is "
                        + "ignored (runtime configurations are only valid at runtime)", source);
                default -> {
                    if (changesTheMaths(k, v)) {
                        throw new IllegalArgumentException(source + ": '" + k + "' is " + v + "; adapters using this newer "
                                + "peft feature change the layer's computation, which tune4j does not implement");
                    }
                    LOG.debug("{}: ignoring key '{}' unknown to tune4j's LoraConfig", source, k);
                }
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keys of newer peft versions that are harmless at their defaults but change what the adapter
     * computes when set: ignoring them would give wrong outputs silently, so they are refused.
     */
    private static boolean changesTheMaths(String key, JsonNode v) {
        boolean set = !(v == null || v.isNull() || (v.isBoolean() && !v.booleanValue())
                || ((v.isArray() || v.isObject()) && v.isEmpty()));
        return set && Set.of("lora_bias", "use_qalora", "target_parameters", "trainable_token_indices",
                "alora_invocation_tokens", "use_bdlora", "arrow_config", "kasa_config", "monteclora_config",
                "velora_config").contains(key);
    }

    private static ObjectNode mapNode(Map<String, ? extends Number> m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        m.forEach((k, v) -> putNumber(o, k, v));
        return o;
    }

    private static void putNumber(ObjectNode o, String k, Number v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            o.put(k, v.longValue());
        } else {
            o.put(k, v.doubleValue());
        }
    }

    private static ArrayNode stringArray(List<String> l) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        l.forEach(a::add);
        return a;
    }

    private static void putNullable(ObjectNode o, String k, String v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LoraConfig c && c.toJsonString().equals(toJsonString());
    }

    @Override
    public int hashCode() {
        return toJsonString().hashCode();
    }

    @Override
    public String toString() {
        return "LoraConfig" + PythonJson.dumps(toJson(), 0, true).replace("\n", " ");
    }

    /** Typed reads of adapter_config.json values, with errors naming the file and key. */
    private record Reader(JsonNode root, String source) {
        private IllegalArgumentException bad(String key, String expected) {
            return new IllegalArgumentException(source + ": key '" + key + "' should be " + expected + ", found "
                    + root.get(key));
        }

        String stringOrNull(String k) {
            JsonNode v = root.get(k);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw bad(k, "a string or null");
            }
            return v.textValue();
        }

        boolean bool(String k) {
            JsonNode v = root.get(k);
            if (!v.isBoolean()) {
                throw bad(k, "true or false");
            }
            return v.booleanValue();
        }

        int integer(String k) {
            JsonNode v = root.get(k);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw bad(k, "an integer");
            }
            return v.intValue();
        }

        Number number(String k) {
            JsonNode v = root.get(k);
            if (!v.isNumber()) {
                throw bad(k, "a number");
            }
            return v.isIntegralNumber() ? (Number) v.intValue() : (Number) v.doubleValue();
        }

        List<String> stringList(String k) {
            JsonNode v = root.get(k);
            if (!v.isArray()) {
                throw bad(k, "a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw bad(k, "a list of strings");
                }
                out.add(e.textValue());
            }
            return out;
        }

        List<Integer> intList(String k) {
            JsonNode v = root.get(k);
            if (!v.isArray()) {
                throw bad(k, "an integer or a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw bad(k, "an integer or a list of integers");
                }
                out.add(e.intValue());
            }
            return out;
        }

        Map<String, Integer> intMap(String k) {
            JsonNode v = root.get(k);
            Map<String, Integer> out = new LinkedHashMap<>();
            if (v.isNull()) {
                return out;
            }
            if (!v.isObject()) {
                throw bad(k, "an object of name to integer");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isIntegralNumber()) {
                    throw bad(k, "an object of name to integer");
                }
                out.put(e.getKey(), e.getValue().intValue());
            }
            return out;
        }

        Map<String, Number> numberMap(String k) {
            JsonNode v = root.get(k);
            Map<String, Number> out = new LinkedHashMap<>();
            if (v.isNull()) {
                return out;
            }
            if (!v.isObject()) {
                throw bad(k, "an object of name to number");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode n = e.getValue();
                if (!n.isNumber()) {
                    throw bad(k, "an object of name to number");
                }
                out.put(e.getKey(), n.isIntegralNumber() ? (Number) n.intValue() : (Number) n.doubleValue());
            }
            return out;
        }
    }

    /** Builder with peft's defaults. Setters are named after peft's fields. */
    public static final class Builder {
        private JsonNode autoMapping;
        private String baseModelNameOrPath;
        private String revision;
        private String taskType;
        private boolean inferenceMode;
        private int r = 8;
        private Number loraAlpha = 8;
        private double loraDropout;
        private List<String> targetModules;
        private String targetModulesRegex;
        private List<String> excludeModules;
        private String excludeModulesRegex;
        private boolean fanInFanOut;
        private String bias = "none";
        private boolean useRslora;
        private List<String> modulesToSave;
        private InitLoraWeights initLoraWeights = InitLoraWeights.DEFAULT;
        private List<Integer> layersToTransform;
        private boolean layersToTransformScalar;
        private List<String> layersPattern;
        private boolean layersPatternScalar;
        private Map<String, Integer> rankPattern = new LinkedHashMap<>();
        private Map<String, Number> alphaPattern = new LinkedHashMap<>();
        private JsonNode megatronConfig;
        private String megatronCore = "megatron.core";
        private JsonNode loftqConfig;
        private boolean useDora;
        private JsonNode layerReplication;

        private Builder() {}

        /** {@code r}: the rank (default 8). */
        public Builder r(int r) {
            this.r = r;
            return this;
        }

        /** {@code lora_alpha} (default 8); scaling is {@code alpha / r}. */
        public Builder loraAlpha(int alpha) {
            this.loraAlpha = alpha;
            return this;
        }

        /** {@code lora_alpha} as a float. */
        public Builder loraAlpha(double alpha) {
            this.loraAlpha = alpha;
            return this;
        }

        /** {@code lora_dropout} on the adapter's input while training (default 0). */
        public Builder loraDropout(double p) {
            this.loraDropout = p;
            return this;
        }

        /**
         * {@code target_modules} as a list of names (suffix match). A single argument
         * {@code "all-linear"} is peft's shorthand string, not a name.
         */
        public Builder targetModules(String... names) {
            if (names.length == 1 && names[0].equalsIgnoreCase(ALL_LINEAR)) {
                return targetModulesRegex(names[0]);
            }
            return targetModules(List.of(names));
        }

        /** {@code target_modules} as a list of names (suffix match); null resets to the architecture default. */
        public Builder targetModules(List<String> names) {
            this.targetModules = names == null ? null : new ArrayList<>(names);
            this.targetModulesRegex = null;
            return this;
        }

        /** {@code target_modules} as a string: a regex matched against the full module name, or {@code "all-linear"}. */
        public Builder targetModulesRegex(String regex) {
            this.targetModulesRegex = regex;
            this.targetModules = null;
            return this;
        }

        /** {@code target_modules="all-linear"}. */
        public Builder allLinear() {
            return targetModulesRegex(ALL_LINEAR);
        }

        /** {@code exclude_modules} as names (suffix match); they win over the targets. */
        public Builder excludeModules(String... names) {
            this.excludeModules = List.of(names);
            this.excludeModulesRegex = null;
            return this;
        }

        /** {@code exclude_modules} as a full-match regex. */
        public Builder excludeModulesRegex(String regex) {
            this.excludeModulesRegex = regex;
            this.excludeModules = null;
            return this;
        }

        /** {@code fan_in_fan_out}: set for GPT-2's Conv1D ([in, out] weights); tune4j sets it itself for Conv1D. */
        public Builder fanInFanOut(boolean b) {
            this.fanInFanOut = b;
            return this;
        }

        /** {@code bias}: {@code "none"} (default), {@code "all"} or {@code "lora_only"}. */
        public Builder bias(String bias) {
            this.bias = bias;
            return this;
        }

        /** {@code use_rslora}: scaling {@code alpha / sqrt(r)}. */
        public Builder useRslora(boolean b) {
            this.useRslora = b;
            return this;
        }

        /** {@code modules_to_save}: modules trained in full and saved with the adapter. */
        public Builder modulesToSave(String... names) {
            this.modulesToSave = names == null ? null : List.of(names);
            return this;
        }

        /** {@code init_lora_weights}. */
        public Builder initLoraWeights(InitLoraWeights init) {
            this.initLoraWeights = Objects.requireNonNull(init);
            return this;
        }

        /** {@code init_lora_weights=True/False}. */
        public Builder initLoraWeights(boolean init) {
            return initLoraWeights(InitLoraWeights.of(init));
        }

        /** {@code init_lora_weights} as a string: "gaussian", "pissa", "pissa_niter_N", "olora". */
        public Builder initLoraWeights(String init) {
            return initLoraWeights(new InitLoraWeights(init));
        }

        /** {@code layers_to_transform} as a single index. */
        public Builder layersToTransform(int layer) {
            this.layersToTransform = List.of(layer);
            this.layersToTransformScalar = true;
            return this;
        }

        /** {@code layers_to_transform} as a list of indices. */
        public Builder layersToTransform(List<Integer> layers) {
            this.layersToTransform = layers == null ? null : List.copyOf(layers);
            this.layersToTransformScalar = false;
            return this;
        }

        /** {@code layers_pattern}: the name of the layer list, e.g. {@code "layers"} or {@code "h"}. */
        public Builder layersPattern(String pattern) {
            this.layersPattern = List.of(pattern);
            this.layersPatternScalar = true;
            return this;
        }

        /** {@code layers_pattern} as a list. */
        public Builder layersPattern(List<String> patterns) {
            this.layersPattern = patterns == null ? null : List.copyOf(patterns);
            this.layersPatternScalar = false;
            return this;
        }

        /** {@code rank_pattern}: a module-name pattern to its rank. */
        public Builder rankPattern(Map<String, Integer> pattern) {
            this.rankPattern = new LinkedHashMap<>(pattern);
            return this;
        }

        /** {@code alpha_pattern}: a module-name pattern to its alpha. */
        public Builder alphaPattern(Map<String, ? extends Number> pattern) {
            this.alphaPattern = new LinkedHashMap<>(pattern);
            return this;
        }

        /** {@code use_dora}: weight-decomposed low-rank adaptation. */
        public Builder useDora(boolean b) {
            this.useDora = b;
            return this;
        }

        /** {@code task_type}. */
        public Builder taskType(TaskType t) {
            this.taskType = t == null ? null : t.name();
            return this;
        }

        /** {@code task_type} as a string. */
        public Builder taskType(String t) {
            this.taskType = t;
            return this;
        }

        /** {@code inference_mode}: adapter weights frozen. */
        public Builder inferenceMode(boolean b) {
            this.inferenceMode = b;
            return this;
        }

        /** {@code base_model_name_or_path}. */
        public Builder baseModelNameOrPath(String s) {
            this.baseModelNameOrPath = s;
            return this;
        }

        /** {@code revision}. */
        public Builder revision(String s) {
            this.revision = s;
            return this;
        }

        /** {@code megatron_config} (kept, not interpreted). */
        public Builder megatronConfig(JsonNode n) {
            this.megatronConfig = n;
            return this;
        }

        /** {@code megatron_core} (kept, not interpreted). */
        public Builder megatronCore(String s) {
            this.megatronCore = s;
            return this;
        }

        /** {@code loftq_config} (kept, not interpreted). */
        public Builder loftqConfig(JsonNode n) {
            this.loftqConfig = n;
            return this;
        }

        /** {@code layer_replication} (kept; tune4j refuses to apply it). */
        public Builder layerReplication(JsonNode n) {
            this.layerReplication = n;
            return this;
        }

        /** {@code auto_mapping} (kept, not interpreted). */
        public Builder autoMapping(JsonNode n) {
            this.autoMapping = n;
            return this;
        }

        /** Checks the values as peft's {@code __post_init__} does and builds the config. */
        public LoraConfig build() {
            if (r <= 0) {
                throw new IllegalArgumentException("`r` should be a positive integer value but the value passed is " + r);
            }
            if (loraDropout < 0 || loraDropout >= 1 || Double.isNaN(loraDropout)) {
                throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
            }
            if (bias == null || !Set.of("none", "all", "lora_only").contains(bias)) {
                throw new IllegalArgumentException("bias must be \"none\", \"all\" or \"lora_only\", got " + bias);
            }
            if (targetModulesRegex != null && layersToTransform != null) {
                throw new IllegalArgumentException("`layers_to_transform` cannot be used when `target_modules` is a str.");
            }
            if (targetModulesRegex != null && layersPattern != null) {
                throw new IllegalArgumentException("`layers_pattern` cannot be used when `target_modules` is a str.");
            }
            if (useDora && megatronConfig != null) {
                throw new IllegalArgumentException("DoRA does not support megatron_core, please set `use_dora=False`.");
            }
            rankPattern.forEach((k, v) -> {
                if (v == null || v <= 0) {
                    throw new IllegalArgumentException("rank_pattern['" + k + "'] must be a positive rank, got " + v);
                }
            });
            return new LoraConfig(this);
        }
    }
}
