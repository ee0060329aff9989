package dev.tune4j.generation;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How to generate: the counterpart of transformers' {@code GenerationConfig} (4.45), with the
 * same field names (camelCase here, snake_case in JSON) and the same defaults.
 *
 * <pre>{@code
 * // transformers: GenerationConfig(max_new_tokens=64, do_sample=True, temperature=0.7, top_p=0.9)
 * var cfg = GenerationConfig.builder().maxNewTokens(64).doSample(true).temperature(0.7).topP(0.9).seed(42L).build();
 * var fromModel = GenerationConfig.fromPretrained(Path.of("my-model"));   // generation_config.json
 * var greedy = fromModel.withOverrides(b -> b.doSample(false).maxNewTokens(20));
 * }</pre>
 *
 * <p>Semantics worth remembering, all as in transformers:
 * <ul>
 *   <li>{@code maxLength} (default 20) counts the prompt; {@code maxNewTokens}, when set, wins.</li>
 *   <li>With {@code doSample=false} (greedy, the default) temperature, top-k, top-p, min-p and
 *       typical-p are ignored; {@link Generator} logs a warning when they are set anyway.</li>
 *   <li>{@code topK} defaults to 50, so sampling with only {@code topP} set still applies top-k 50.</li>
 *   <li>{@code numBeams} is read and written, but only 1 is supported: {@link Generator} rejects
 *       beam search.</li>
 * </ul>
 *
 * <p>{@code seed} is a tune4j addition (written as {@code "seed"}, which transformers keeps as an
 * unknown attribute): it seeds the sampler so that sampling is reproducible. Keys this class does
 * not know ({@code transformers_version}, {@code use_cache}, ...) do not change generation, but are
 * kept and written back by {@link #toJson()}. Instances are immutable.
 */
public final class GenerationConfig {
    /** The file name transformers uses inside a model folder. */
    public static final String FILE_NAME = "generation_config.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python writes NaN / Infinity
            .build();

    /** The keys this class interprets; everything else is carried in {@link #otherFields()}. */
    private static final Set<String> KNOWN_KEYS = Set.of(
            "max_length", "max_new_tokens", "min_length", "min_new_tokens", "do_sample", "num_beams",
            "temperature", "top_k", "top_p", "min_p", "typical_p", "repetition_penalty",
            "no_repeat_ngram_size", "eos_token_id", "pad_token_id", "bos_token_id", "seed");

    private final int maxLength;
    private final Integer maxNewTokens;
    private final int minLength;
    private final Integer minNewTokens;
    private final boolean doSample;
    private final int numBeams;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final Double minP;
    private final double typicalP;
    private final double repetitionPenalty;
    private final int noRepeatNgramSize;
    private final List<Integer> eosTokenIds;
    private final boolean eosAsList;
    private final Integer padTokenId;
    private final Integer bosTokenId;
    private final Long seed;
    private final Map<String, JsonNode> otherFields;

    private GenerationConfig(Builder b) {
        this.maxLength = b.maxLength;
        this.maxNewTokens = b.maxNewTokens;
        this.minLength = b.minLength;
        this.minNewTokens = b.minNewTokens;
        this.doSample = b.doSample;
        this.numBeams = b.numBeams;
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.minP = b.minP;
        this.typicalP = b.typicalP;
        this.repetitionPenalty = b.repetitionPenalty;
        this.noRepeatNgramSize = b.noRepeatNgramSize;
        this.eosTokenIds = List.copyOf(b.eosTokenIds);
        this.eosAsList = b.eosAsList;
        this.padTokenId = b.padTokenId;
        this.bosTokenId = b.bosTokenId;
        this.seed = b.seed;
        Map<String, JsonNode> others = new LinkedHashMap<>();
        b.otherFields.forEach((k, v) -> others.put(k, v.deepCopy()));
        this.otherFields = Collections.unmodifiableMap(others);
    }

    /** A builder holding transformers' defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxLength = maxLength;
        b.maxNewTokens = maxNewTokens;
        b.minLength = minLength;
        b.minNewTokens = minNewTokens;
        b.doSample = doSample;
        b.numBeams = numBeams;
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.typicalP = typicalP;
        b.repetitionPenalty = repetitionPenalty;
        b.noRepeatNgramSize = noRepeatNgramSize;
        b.eosTokenIds = new ArrayList<>(eosTokenIds);
        b.eosAsList = eosAsList;
        b.padTokenId = padTokenId;
        b.bosTokenId = bosTokenId;
        b.seed = seed;
        otherFields.forEach((k, v) -> b.otherFields.put(k, v.deepCopy()));
        return b;
    }

    /** A copy with the builder changes applied: {@code cfg.withOverrides(b -> b.maxNewTokens(32))}. */
    public GenerationConfig withOverrides(Consumer<Builder> changes) {
        Builder b = toBuilder();
        changes.accept(b);
        return b.build();
    }

    /**
     * A copy with snake_case overrides, like the keyword arguments of transformers'
     * {@code generate(**kwargs)} / {@code GenerationConfig.update(**kwargs)}:
     * {@code cfg.withOverrides(Map.of("max_new_tokens", 32, "do_sample", true))}. A {@code null}
     * value resets an optional field. Unknown keys are rejected, as generate() rejects unused kwargs.
     */
    public GenerationConfig withOverrides(Map<String, ?> kwargs) {
        ObjectNode tree = toTree(true);
        for (Map.Entry<String, ?> e : kwargs.entrySet()) {
            if (!KNOWN_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("generation override: unknown key \"" + e.getKey()
                        + "\"; expected one of " + new java.util.TreeSet<>(KNOWN_KEYS));
            }
            tree.set(e.getKey(), JSON.valueToTree(e.getValue()));
        }
        return fromTree(tree, "generation override");
    }

    /**
     * Reads {@code dir/generation_config.json}, as {@code GenerationConfig.from_pretrained(dir)}.
     *
     * @throws UncheckedIOException when the file is missing or unreadable
     * @throws IllegalArgumentException when it is not valid JSON or a known key has the wrong type
     */
    public static GenerationConfig fromPretrained(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(file + ": no " + FILE_NAME + " in " + dir, e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * The generation settings of a model's {@code config.json}, for folders without a
     * {@code generation_config.json}; transformers' {@code GenerationConfig.from_model_config}.
     * Only the keys this class knows are taken (typically {@code bos_token_id},
     * {@code eos_token_id}, {@code pad_token_id}); the model keys are left out, and the result is
     * marked {@code "_from_model_config": true} as transformers marks it.
     *
     * @param configJson the model's {@code config.json} file
     */
    public static GenerationConfig fromModelConfig(Path configJson) {
        String text;
        try {
            text = Files.readString(configJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(configJson + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(configJson + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        return fromModelConfig(root, configJson.toString());
    }

    /**
     * As {@link #fromModelConfig(Path)} for a config.json already read ({@code source} names it in
     * errors); carries transformers_version over, as transformers writes it.
     */
    public static GenerationConfig fromModelConfig(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        ObjectNode generation = JsonNodeFactory.instance.objectNode();
        generation.put("_from_model_config", true);
        for (String key : KNOWN_KEYS) {
            if (root.has(key) && !key.equals("seed")) {
                generation.set(key, root.get(key));
            }
        }
        if (root.has("transformers_version")) {
            generation.set("transformers_version", root.get("transformers_version"));
        }
        return fromTree(generation, source);
    }

    /** Parses the content of a {@code generation_config.json}. */
    public static GenerationConfig fromJson(String json) {
        return parse(json, "generation config JSON");
    }

    private static GenerationConfig parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object, found "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        return fromTree((ObjectNode) root, source);
    }

    private static GenerationConfig fromTree(ObjectNode root, String source) {
        Fields f = new Fields(root, source);
        Builder b = builder();
        // null in the JSON means "unset" in Python; for the fields with a non-None default, unset
        // and the default behave the same in generate() (no processor is built), so null maps to it.
        b.maxLength = f.integer("max_length", 20);
        b.maxNewTokens = f.integerOrNull("max_new_tokens");
        b.minLength = f.integer("min_length", 0);
        b.minNewTokens = f.integerOrNull("min_new_tokens");
        b.doSample = f.bool("do_sample", false);
        b.numBeams = f.integer("num_beams", 1);
        b.temperature = f.number("temperature", 1.0);
        b.topK = root.has("top_k") ? f.integer("top_k", 0) : 50; // top_k=None disables it, like 0
        b.topP = f.number("top_p", 1.0);
        b.minP = f.numberOrNull("min_p");
        b.typicalP = f.number("typical_p", 1.0);
        b.repetitionPenalty = f.number("repetition_penalty", 1.0);
        b.noRepeatNgramSize = f.integer("no_repeat_ngram_size", 0);
        b.padTokenId = f.integerOrNull("pad_token_id");
        b.bosTokenId = f.integerOrNull("bos_token_id");
        b.seed = f.longOrNull("seed");
        JsonNode eos = root.get("eos_token_id");
        b.eosTokenIds = new ArrayList<>();
        b.eosAsList = false;
        if (eos != null && eos.isArray()) {
            b.eosAsList = true;
            for (int i = 0; i < eos.size(); i++) {
                JsonNode e = eos.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw Fields.bad(source, "eos_token_id[" + i + "]", "an integer token id", e);
                }
                b.eosTokenIds.add(e.intValue());
            }
        } else {
            Integer single = f.integerOrNull("eos_token_id");
            if (single != null) {
                b.eosTokenIds.add(single);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!KNOWN_KEYS.contains(e.getKey())) {
                b.otherFields.put(e.getKey(), e.getValue());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The JSON transformers' {@code save_pretrained} writes: only the values that differ from the
     * defaults plus the other keys read in, sorted, indented by 2, with a final newline
     * ({@code json.dumps(to_diff_dict(), indent=2, sort_keys=True) + "\n"}).
     */
    public String toJson() {
        return dev.tune4j.io.PythonJson.dumps(toTree(false), 2, true) + "\n";
    }

    /** Writes {@code dir/generation_config.json} atomically (temp file in the folder, then rename). */
    public void savePretrained(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + FILE_NAME, ".tmp");
            try {
                Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private ObjectNode toTree(boolean withDefaults) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        ObjectNode t = n.objectNode();
        otherFields.forEach((k, v) -> t.set(k, v.deepCopy()));
        if (withDefaults || maxLength != 20) t.put("max_length", maxLength);
        if (withDefaults || maxNewTokens != null) t.set("max_new_tokens", maxNewTokens == null ? n.nullNode() : n.numberNode(maxNewTokens));
        if (withDefaults || minLength != 0) t.put("min_length", minLength);
        if (withDefaults || minNewTokens != null) t.set("min_new_tokens", minNewTokens == null ? n.nullNode() : n.numberNode(minNewTokens));
        if (withDefaults || doSample) t.put("do_sample", doSample);
        if (withDefaults || numBeams != 1) t.put("num_beams", numBeams);
        if (withDefaults || temperature != 1.0) t.put("temperature", temperature);
        if (withDefaults || topK != 50) t.put("top_k", topK);
        if (withDefaults || topP != 1.0) t.put("top_p", topP);
        if (withDefaults || minP != null) t.set("min_p", minP == null ? n.nullNode() : n.numberNode(minP));
        if (withDefaults || typicalP != 1.0) t.put("typical_p", typicalP);
        if (withDefaults || repetitionPenalty != 1.0) t.put("repetition_penalty", repetitionPenalty);
        if (withDefaults || noRepeatNgramSize != 0) t.put("no_repeat_ngram_size", noRepeatNgramSize);
        if (eosAsList) {
            ArrayNode a = t.putArray("eos_token_id");
            eosTokenIds.forEach(a::add);
        } else if (!eosTokenIds.isEmpty()) {
            t.put("eos_token_id", eosTokenIds.get(0));
        } else if (withDefaults) {
            t.putNull("eos_token_id");
        }
        if (withDefaults || padTokenId != null) t.set("pad_token_id", padTokenId == null ? n.nullNode() : n.numberNode(padTokenId));
        if (withDefaults || bosTokenId != null) t.set("bos_token_id", bosTokenId == null ? n.nullNode() : n.numberNode(bosTokenId));
        if (withDefaults || seed != null) t.set("seed", seed == null ? n.nullNode() : n.numberNode(seed));
        return t;
    }

    /** Total length (prompt included) at which generation stops; transformers' {@code max_length}, default 20. */
    public int maxLength() { return maxLength; }

    /** New tokens to generate at most; wins over {@link #maxLength()} when set ({@code max_new_tokens}). */
    public OptionalInt maxNewTokens() { return maxNewTokens == null ? OptionalInt.empty() : OptionalInt.of(maxNewTokens); }

    /** Total length below which eos is suppressed ({@code min_length}, default 0). */
    public int minLength() { return minLength; }

    /** New tokens below which eos is suppressed ({@code min_new_tokens}). */
    public OptionalInt minNewTokens() { return minNewTokens == null ? OptionalInt.empty() : OptionalInt.of(minNewTokens); }

    /** Multinomial sampling when true, greedy argmax when false (the default). */
    public boolean doSample() { return doSample; }

    /** Beam count ({@code num_beams}, default 1); only 1 is supported by {@link Generator}. */
    public int numBeams() { return numBeams; }

    /** Softmax temperature applied when sampling ({@code temperature}, default 1.0). */
    public double temperature() { return temperature; }

    /** Top-k filter when sampling ({@code top_k}, default 50; 0 disables it). */
    public int topK() { return topK; }

    /** Nucleus (top-p) filter when sampling ({@code top_p}, default 1.0 = off). */
    public double topP() { return topP; }

    /** Min-p filter when sampling ({@code min_p}, default unset). */
    public OptionalDouble minP() { return minP == null ? OptionalDouble.empty() : OptionalDouble.of(minP); }

    /** Typical-p filter when sampling ({@code typical_p}, default 1.0 = off). */
    public double typicalP() { return typicalP; }

    /** Repetition penalty over prompt and generated ids ({@code repetition_penalty}, default 1.0 = off). */
    public double repetitionPenalty() { return repetitionPenalty; }

    /** Size of the n-grams that may not repeat ({@code no_repeat_ngram_size}, default 0 = off). */
    public int noRepeatNgramSize() { return noRepeatNgramSize; }

    /** The end-of-sequence ids ({@code eos_token_id}, one or several); empty when unset. */
    public List<Integer> eosTokenIds() { return eosTokenIds; }

    /** The padding id written after a row has finished ({@code pad_token_id}). */
    public OptionalInt padTokenId() { return padTokenId == null ? OptionalInt.empty() : OptionalInt.of(padTokenId); }

    /** The beginning-of-sequence id ({@code bos_token_id}); informational here. */
    public OptionalInt bosTokenId() { return bosTokenId == null ? OptionalInt.empty() : OptionalInt.of(bosTokenId); }

    /** Seed of the sampler (tune4j addition); unset means a fresh random seed per call. */
    public OptionalLong seed() { return seed == null ? OptionalLong.empty() : OptionalLong.of(seed); }

    /** Keys of the JSON this class does not interpret, kept verbatim for {@link #toJson()}. */
    public Map<String, JsonNode> otherFields() {
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        otherFields.forEach((k, v) -> copy.put(k, v.deepCopy()));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * The sampling parameters set away from their defaults while {@code doSample} is false, which
     * greedy decoding ignores (transformers' {@code GenerationConfig.validate} warns about them).
     */
    List<String> ignoredSamplingParameters() {
        List<String> out = new ArrayList<>();
        if (doSample) {
            return out;
        }
        if (temperature != 1.0) out.add("temperature=" + dev.tune4j.io.PythonJson.floatRepr(temperature));
        if (topP != 1.0) out.add("top_p=" + dev.tune4j.io.PythonJson.floatRepr(topP));
        if (minP != null) out.add("min_p=" + dev.tune4j.io.PythonJson.floatRepr(minP));
        if (typicalP != 1.0) out.add("typical_p=" + dev.tune4j.io.PythonJson.floatRepr(typicalP));
        if (topK != 50) out.add("top_k=" + topK);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && toTree(true).equals(g.toTree(true));
    }

    @Override
    public int hashCode() {
        return toTree(true).hashCode();
    }

    @Override
    public String toString() {
        return "GenerationConfig " + toTree(false);
    }

    /** Builder of {@link GenerationConfig}; starts from transformers' defaults. */
    public static final class Builder {
        private int maxLength = 20;
        private Integer maxNewTokens;
        private int minLength;
        private Integer minNewTokens;
        private boolean doSample;
        private int numBeams = 1;
        private double temperature = 1.0;
        private int topK = 50;
        private double topP = 1.0;
        private Double minP;
        private double typicalP = 1.0;
        private double repetitionPenalty = 1.0;
        private int noRepeatNgramSize;
        private List<Integer> eosTokenIds = new ArrayList<>();
        private boolean eosAsList;
        private Integer padTokenId;
        private Integer bosTokenId;
        private Long seed;
        private final Map<String, JsonNode> otherFields = new LinkedHashMap<>();

        private Builder() {}

        /** {@code max_length}: total length including the prompt (default 20). */
        public Builder maxLength(int v) { maxLength = v; return this; }
        /** {@code max_new_tokens}; null unsets it. */
        public Builder maxNewTokens(Integer v) { maxNewTokens = v; return this; }
        /** {@code min_length} (default 0). */
        public Builder minLength(int v) { minLength = v; return this; }
        /** {@code min_new_tokens}; null unsets it. */
        public Builder minNewTokens(Integer v) { minNewTokens = v; return this; }
        /** {@code do_sample} (default false). */
        public Builder doSample(boolean v) { doSample = v; return this; }
        /** {@code num_beams} (default 1; {@link Generator} supports only 1). */
        public Builder numBeams(int v) { numBeams = v; return this; }
        /** {@code temperature} (default 1.0). */
        public Builder temperature(double v) { temperature = v; return this; }
        /** {@code top_k} (default 50; 0 disables). */
        public Builder topK(int v) { topK = v; return this; }
        /** {@code top_p} (default 1.0). */
        public Builder topP(double v) { topP = v; return this; }
        /** {@code min_p}; null unsets it. */
        public Builder minP(Double v) { minP = v; return this; }
        /** {@code typical_p} (default 1.0). */
        public Builder typicalP(double v) { typicalP = v; return this; }
        /** {@code repetition_penalty} (default 1.0). */
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        /** {@code no_repeat_ngram_size} (default 0). */
        public Builder noRepeatNgramSize(int v) { noRepeatNgramSize = v; return this; }
        /** {@code eos_token_id} as a single id ({@code null} unsets it). */
        public Builder eosTokenId(Integer id) {
            eosTokenIds = new ArrayList<>();
            if (id != null) eosTokenIds.add(id);
            eosAsList = false;
            return this;
        }
        /** {@code eos_token_id} as a list of ids (written back as a JSON list). */
        public Builder eosTokenIds(List<Integer> ids) {
            eosTokenIds = new ArrayList<>(ids);
            eosAsList = true;
            return this;
        }
        /** {@code eos_token_id} as a list of ids. */
        public Builder eosTokenIds(int... ids) {
            List<Integer> l = new ArrayList<>();
            for (int id : ids) l.add(id);
            return eosTokenIds(l);
        }
        /** {@code pad_token_id}; null unsets it. */
        public Builder padTokenId(Integer v) { padTokenId = v; return this; }
        /** {@code bos_token_id}; null unsets it. */
        public Builder bosTokenId(Integer v) { bosTokenId = v; return this; }
        /** Seed of the sampler (tune4j); null means a fresh random seed per generate call. */
        public Builder seed(Long v) { seed = v; return this; }
        /** Seed of the sampler (tune4j). */
        public Builder seed(long v) { seed = v; return this; }

        /** Checks the values that no configuration can have, then builds. */
        public GenerationConfig build() {
            check(maxLength >= 0, "max_length", "a length >= 0", maxLength);
            if (maxNewTokens != null) check(maxNewTokens > 0, "max_new_tokens", "a count > 0", maxNewTokens);
            check(minLength >= 0, "min_length", "a length >= 0", minLength);
            if (minNewTokens != null) check(minNewTokens >= 0, "min_new_tokens", "a count >= 0", minNewTokens);
            check(numBeams >= 1, "num_beams", "a count >= 1", numBeams);
            check(topK >= 0, "top_k", "0 (off) or a count > 0", topK);
            check(noRepeatNgramSize >= 0, "no_repeat_ngram_size", "0 (off) or a size > 0", noRepeatNgramSize);
            check(!Double.isNaN(temperature), "temperature", "a number", temperature);
            check(topP >= 0 && topP <= 1, "top_p", "a probability in [0, 1]", topP);
            if (minP != null) check(minP >= 0 && minP <= 1, "min_p", "a probability in [0, 1]", minP);
            check(typicalP > 0 && typicalP <= 1, "typical_p", "a probability in (0, 1]", typicalP);
            check(repetitionPenalty > 0, "repetition_penalty", "a penalty > 0", repetitionPenalty);
            for (Integer id : eosTokenIds) {
                check(id != null && id >= 0, "eos_token_id", "token ids >= 0", eosTokenIds);
            }
            if (padTokenId != null) check(padTokenId >= 0, "pad_token_id", "a token id >= 0", padTokenId);
            return new GenerationConfig(this);
        }

        private static void check(boolean ok, String key, String expected, Object found) {
            if (!ok) {
                throw new IllegalArgumentException("generation config key " + key + ": expected " + expected
                        + ", found " + found);
            }
        }
    }

    /** Typed reads of the known keys, with errors that name the source, the key and the type found. */
    private record Fields(ObjectNode root, String source) {
        int integer(String key, int absent) {
            Integer v = integerOrNull(key);
            return v == null ? absent : v;
        }

        Integer integerOrNull(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return null;
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw bad(source, key, "an integer or null", v);
            return v.intValue();
        }

        Long longOrNull(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return null;
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw bad(source, key, "an integer or null", v);
            return v.longValue();
        }

        double number(String key, double absent) {
            Double v = numberOrNull(key);
            return v == null ? absent : v;
        }

        Double numberOrNull(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return null;
            if (!v.isNumber()) throw bad(source, key, "a number or null", v);
            return v.doubleValue();
        }

        boolean bool(String key, boolean absent) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) return absent;
            if (!v.isBoolean()) throw bad(source, key, "true or false", v);
            return v.booleanValue();
        }

        static IllegalArgumentException bad(String source, String key, String expected, JsonNode found) {
            return new IllegalArgumentException(source + ": key \"" + key + "\": expected " + expected
                    + ", found " + found + " (" + found.getNodeType().toString().toLowerCase() + ")");
        }
    }
}
