package dev.tune4j.quant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.QuantizationConfig;
import dev.tune4j.nn.LinearFactory;
import dev.tune4j.quant.nn.Linear4bitFactory;
import dev.tune4j.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to quantize a model on load, with the names and defaults of transformers'
 * {@code BitsAndBytesConfig}; written into {@code config.json} as {@code quantization_config}.
 *
 * <pre>{@code
 * // transformers: BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
 * //     bnb_4bit_compute_dtype=torch.bfloat16, bnb_4bit_use_double_quant=True)
 * var bnb = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
 *         .bnb4bitComputeDtype(DType.BF16).bnb4bitUseDoubleQuant(true).build();
 * }</pre>
 *
 * <p>Only 4-bit quantization is supported; {@code loadIn8bit(true)} (LLM.int8) is rejected. The
 * {@link #blocksize()} is not part of transformers' config (it is always 64 there); a checkpoint
 * records each weight's blocksize in its quant state, so loading never needs it.
 */
public final class BitsAndBytesConfig implements QuantizationConfig {
    private static final Logger LOG = LoggerFactory.getLogger(BitsAndBytesConfig.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Storage dtypes transformers accepts for {@code bnb_4bit_quant_storage}. */
    private static final Set<DType> STORAGE = Set.of(DType.F16, DType.F32, DType.I8, DType.U8, DType.F64, DType.BF16);
    private static final Set<String> KNOWN_KEYS = Set.of("quant_method", "_load_in_4bit", "_load_in_8bit",
            "load_in_4bit", "load_in_8bit", "llm_int8_threshold", "llm_int8_skip_modules",
            "llm_int8_enable_fp32_cpu_offload", "llm_int8_has_fp16_weight", "bnb_4bit_compute_dtype",
            "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_quant_storage");

    private final boolean loadIn4bit;
    private final double llmInt8Threshold;
    private final List<String> llmInt8SkipModules;
    private final boolean llmInt8EnableFp32CpuOffload;
    private final boolean llmInt8HasFp16Weight;
    private final DType bnb4bitComputeDtype;
    private final String bnb4bitQuantType;
    private final boolean bnb4bitUseDoubleQuant;
    private final DType bnb4bitQuantStorage;
    private final int blocksize;

    private BitsAndBytesConfig(Builder b) {
        this.loadIn4bit = b.loadIn4bit;
        this.llmInt8Threshold = b.llmInt8Threshold;
        this.llmInt8SkipModules = b.llmInt8SkipModules == null ? null : List.copyOf(b.llmInt8SkipModules);
        this.llmInt8EnableFp32CpuOffload = b.llmInt8EnableFp32CpuOffload;
        this.llmInt8HasFp16Weight = b.llmInt8HasFp16Weight;
        this.bnb4bitComputeDtype = b.bnb4bitComputeDtype;
        this.bnb4bitQuantType = b.bnb4bitQuantType;
        this.bnb4bitUseDoubleQuant = b.bnb4bitUseDoubleQuant;
        this.bnb4bitQuantStorage = b.bnb4bitQuantStorage;
        this.blocksize = b.blocksize;
    }

    /** A builder with transformers' defaults (fp4, float32 compute, no double quant, uint8 storage). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.loadIn4bit = loadIn4bit;
        b.llmInt8Threshold = llmInt8Threshold;
        b.llmInt8SkipModules = llmInt8SkipModules;
        b.llmInt8EnableFp32CpuOffload = llmInt8EnableFp32CpuOffload;
        b.llmInt8HasFp16Weight = llmInt8HasFp16Weight;
        b.bnb4bitComputeDtype = bnb4bitComputeDtype;
        b.bnb4bitQuantType = bnb4bitQuantType;
        b.bnb4bitUseDoubleQuant = bnb4bitUseDoubleQuant;
        b.bnb4bitQuantStorage = bnb4bitQuantStorage;
        b.blocksize = blocksize;
        return b;
    }

    /** {@code load_in_4bit}: replace Linear layers by 4-bit ones. */
    public boolean loadIn4bit() {
        return loadIn4bit;
    }

    /** {@code load_in_8bit}: always false (LLM.int8 is not supported yet). */
    public boolean loadIn8bit() {
        return false;
    }

    /** {@code llm_int8_threshold} (default 6.0); kept for the config file. */
    public double llmInt8Threshold() {
        return llmInt8Threshold;
    }

    /** {@code llm_int8_skip_modules}: module names left unquantized (also used in 4-bit), or empty for the default. */
    public Optional<List<String>> llmInt8SkipModules() {
        return Optional.ofNullable(llmInt8SkipModules);
    }

    /** {@code llm_int8_enable_fp32_cpu_offload} (default false); kept for the config file. */
    public boolean llmInt8EnableFp32CpuOffload() {
        return llmInt8EnableFp32CpuOffload;
    }

    /** {@code llm_int8_has_fp16_weight} (default false); kept for the config file. */
    public boolean llmInt8HasFp16Weight() {
        return llmInt8HasFp16Weight;
    }

    /** {@code bnb_4bit_compute_dtype}: the dtype of 4-bit matmuls (default F32). */
    public DType bnb4bitComputeDtype() {
        return bnb4bitComputeDtype;
    }

    /** {@code bnb_4bit_quant_type}: {@code "nf4"} or {@code "fp4"} (default, as in transformers). */
    public String bnb4bitQuantType() {
        return bnb4bitQuantType;
    }

    /** {@code bnb_4bit_use_double_quant}: quantize the absmax statistics too (default false). */
    public boolean bnb4bitUseDoubleQuant() {
        return bnb4bitUseDoubleQuant;
    }

    /** {@code bnb_4bit_quant_storage}: the dtype the packed bytes are stored as (default U8). */
    public DType bnb4bitQuantStorage() {
        return bnb4bitQuantStorage;
    }

    /** Elements per quantization block (default 64, bitsandbytes' and the only one transformers uses). */
    public int blocksize() {
        return blocksize;
    }

    /** {@code "bitsandbytes"}, the {@code quant_method} of config.json. */
    @Override
    public String quantMethod() {
        return "bitsandbytes";
    }

    /**
     * The layers transformers' {@code replace_with_bnb_linear} would build: a
     * {@link dev.tune4j.quant.nn.Linear4bit} for every projection (quantized as its weight is
     * read, or read as stored in a bnb-4bit checkpoint), a plain Linear for modules named in
     * {@code llm_int8_skip_modules}. The lm_head stays dense, unless {@code llm_int8_skip_modules} is given
     * and does not name it (transformers then quantizes it too).
     *
     * @throws IllegalStateException when {@code load_in_4bit} is false (nothing to quantize)
     */
    @Override
    public LinearFactory linearFactory(ModelConfig config) {
        if (!loadIn4bit) {
            throw new IllegalStateException("BitsAndBytesConfig has load_in_4bit=false: nothing to quantize; set"
                    + " loadIn4bit(true) or load without a quantization config");
        }
        return new Linear4bitFactory(this);
    }

    /** {@link #toDict()} as the {@code quantization_config} object of config.json. */
    @Override
    public ObjectNode toConfigJson() {
        return MAPPER.valueToTree(toDict());
    }

    /**
     * transformers' {@code BitsAndBytesConfig.to_dict()}, keys sorted as {@code config.json}
     * writes them: the public fields, {@code _load_in_4bit}/{@code _load_in_8bit},
     * {@code load_in_4bit}/{@code load_in_8bit} and {@code quant_method: "bitsandbytes"}.
     */
    public Map<String, Object> toDict() {
        Map<String, Object> m = new TreeMap<>();
        m.put("_load_in_4bit", loadIn4bit);
        m.put("_load_in_8bit", false);
        m.put("bnb_4bit_compute_dtype", bnb4bitComputeDtype.torchName());
        m.put("bnb_4bit_quant_storage", bnb4bitQuantStorage.torchName());
        m.put("bnb_4bit_quant_type", bnb4bitQuantType);
        m.put("bnb_4bit_use_double_quant", bnb4bitUseDoubleQuant);
        m.put("llm_int8_enable_fp32_cpu_offload", llmInt8EnableFp32CpuOffload);
        m.put("llm_int8_has_fp16_weight", llmInt8HasFp16Weight);
        m.put("llm_int8_skip_modules", llmInt8SkipModules);
        m.put("llm_int8_threshold", llmInt8Threshold);
        m.put("load_in_4bit", loadIn4bit);
        m.put("load_in_8bit", false);
        m.put("quant_method", "bitsandbytes");
        return m;
    }

    /**
     * The {@code quantization_config} object as Python writes it: {@code json.dumps(to_dict(),
     * indent=2, sort_keys=True)}. Inside {@code config.json} the same text appears indented one
     * level further.
     */
    public String toJson() {
        return dev.tune4j.io.PythonJson.dumps(toDict(), 2, false);
    }

    /** Parses a {@code quantization_config} object (the JSON text of {@link #toJson()} or transformers'). */
    public static BitsAndBytesConfig fromJson(String json) {
        try {
            return fromJson(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("quantization_config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Builds a config from a parsed {@code quantization_config} object, like transformers'
     * {@code BitsAndBytesConfig.from_dict}: {@code load_in_4bit} (or the private
     * {@code _load_in_4bit} when the public key is absent) decides; unknown keys are ignored with
     * a warning, as transformers does.
     *
     * @throws IllegalArgumentException naming the key whose value has the wrong type or value
     * @throws UnsupportedOperationException for an 8-bit (LLM.int8) config
     */
    public static BitsAndBytesConfig fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("quantization_config must be a JSON object, found " + node);
        }
        JsonNode method = node.get("quant_method");
        if (method != null && !method.isNull() && !"bitsandbytes".equals(method.asText())) {
            throw new IllegalArgumentException("quantization_config.quant_method: expected \"bitsandbytes\", found "
                    + method);
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN_KEYS.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("quantization_config: ignoring unused keys {}", unknown);
        }
        Builder b = builder();
        b.loadIn4bit(bool(node, node.has("load_in_4bit") ? "load_in_4bit" : "_load_in_4bit", false));
        b.loadIn8bit(bool(node, node.has("load_in_8bit") ? "load_in_8bit" : "_load_in_8bit", false));
        JsonNode t = node.get("llm_int8_threshold");
        if (t != null && !t.isNull()) {
            if (!t.isNumber()) {
                throw new IllegalArgumentException("quantization_config.llm_int8_threshold: expected a number, found " + t);
            }
            b.llmInt8Threshold(t.doubleValue());
        }
        JsonNode skip = node.get("llm_int8_skip_modules");
        if (skip != null && !skip.isNull()) {
            if (!skip.isArray()) {
                throw new IllegalArgumentException("quantization_config.llm_int8_skip_modules: expected a list of module"
                        + " names or null, found " + skip);
            }
            List<String> names = new ArrayList<>();
            for (JsonNode s : skip) {
                if (!s.isTextual()) {
                    throw new IllegalArgumentException("quantization_config.llm_int8_skip_modules: expected strings, found " + s);
                }
                names.add(s.asText());
            }
            b.llmInt8SkipModules(names);
        }
        b.llmInt8EnableFp32CpuOffload(bool(node, "llm_int8_enable_fp32_cpu_offload", false));
        b.llmInt8HasFp16Weight(bool(node, "llm_int8_has_fp16_weight", false));
        String compute = text(node, "bnb_4bit_compute_dtype");
        if (compute != null) {
            b.bnb4bitComputeDtype(dtype("bnb_4bit_compute_dtype", compute));
        }
        String type = text(node, "bnb_4bit_quant_type");
        if (type != null) {
            b.bnb4bitQuantType(type);
        }
        b.bnb4bitUseDoubleQuant(bool(node, "bnb_4bit_use_double_quant", false));
        String storage = text(node, "bnb_4bit_quant_storage");
        if (storage != null) {
            b.bnb4bitQuantStorage(dtype("bnb_4bit_quant_storage", storage));
        }
        return b.build();
    }

    private static boolean bool(JsonNode node, String key, boolean dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("quantization_config." + key + ": expected true or false, found " + v);
        }
        return v.booleanValue();
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("quantization_config." + key + ": expected a string, found " + v);
        }
        return v.asText();
    }

    private static DType dtype(String key, String name) {
        try {
            return DType.fromTorchName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quantization_config." + key + ": unknown dtype \"" + name + "\"", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitsAndBytesConfig c && toDict().equals(c.toDict()) && blocksize == c.blocksize;
    }

    @Override
    public int hashCode() {
        return toDict().hashCode() * 31 + blocksize;
    }

    @Override
    public String toString() {
        return "BitsAndBytesConfig" + dev.tune4j.io.PythonJson.dumps(toDict(), -1, false);
    }

    /** Builder for {@link BitsAndBytesConfig}; setters are named after transformers' arguments. */
    public static final class Builder {
        private boolean loadIn4bit;
        private boolean loadIn8bit;
        private double llmInt8Threshold = 6.0;
        private List<String> llmInt8SkipModules;
        private boolean llmInt8EnableFp32CpuOffload;
        private boolean llmInt8HasFp16Weight;
        private DType bnb4bitComputeDtype = DType.F32;
        private String bnb4bitQuantType = "fp4";
        private boolean bnb4bitUseDoubleQuant;
        private DType bnb4bitQuantStorage = DType.U8;
        private int blocksize = Functional.DEFAULT_BLOCKSIZE;

        private Builder() {}

        /** {@code load_in_4bit}. */
        public Builder loadIn4bit(boolean v) {
            this.loadIn4bit = v;
            return this;
        }

        /** {@code load_in_8bit}; {@link #build()} rejects true (LLM.int8 is not supported yet). */
        public Builder loadIn8bit(boolean v) {
            this.loadIn8bit = v;
            return this;
        }

        /** {@code llm_int8_threshold}. */
        public Builder llmInt8Threshold(double v) {
            this.llmInt8Threshold = v;
            return this;
        }

        /** {@code llm_int8_skip_modules}: modules to keep in full precision (null for the default). */
        public Builder llmInt8SkipModules(List<String> modules) {
            this.llmInt8SkipModules = modules == null ? null : List.copyOf(modules);
            return this;
        }

        /** {@code llm_int8_skip_modules} from names. */
        public Builder llmInt8SkipModules(String... modules) {
            return llmInt8SkipModules(Arrays.asList(modules));
        }

        /** {@code llm_int8_enable_fp32_cpu_offload}. */
        public Builder llmInt8EnableFp32CpuOffload(boolean v) {
            this.llmInt8EnableFp32CpuOffload = v;
            return this;
        }

        /** {@code llm_int8_has_fp16_weight}. */
        public Builder llmInt8HasFp16Weight(boolean v) {
            this.llmInt8HasFp16Weight = v;
            return this;
        }

        /** {@code bnb_4bit_compute_dtype}. */
        public Builder bnb4bitComputeDtype(DType v) {
            this.bnb4bitComputeDtype = v;
            return this;
        }

        /** {@code bnb_4bit_quant_type}: {@code "nf4"} or {@code "fp4"}. */
        public Builder bnb4bitQuantType(String v) {
            this.bnb4bitQuantType = v;
            return this;
        }

        /** {@code bnb_4bit_use_double_quant}. */
        public Builder bnb4bitUseDoubleQuant(boolean v) {
            this.bnb4bitUseDoubleQuant = v;
            return this;
        }

        /** {@code bnb_4bit_quant_storage}. */
        public Builder bnb4bitQuantStorage(DType v) {
            this.bnb4bitQuantStorage = v;
            return this;
        }

        /** Elements per block: 32, 64 (default), 128, ..., 4096. */
        public Builder blocksize(int v) {
            this.blocksize = v;
            return this;
        }

        /**
         * @throws UnsupportedOperationException for {@code loadIn8bit(true)}
         * @throws IllegalArgumentException for conflicting or invalid values
         */
        public BitsAndBytesConfig build() {
            if (loadIn4bit && loadIn8bit) {
                throw new IllegalArgumentException("load_in_4bit and load_in_8bit are both true, but only one can be"
                        + " used at the same time");
            }
            if (loadIn8bit) {
                throw new UnsupportedOperationException("LLM.int8 is not supported yet (load_in_8bit=true); use"
                        + " loadIn4bit(true) with bnb4bitQuantType(\"nf4\") instead");
            }
            CodeTables.fourBitTableShared(bnb4bitQuantType);
            if (bnb4bitComputeDtype == null || !bnb4bitComputeDtype.isFloatingPoint()) {
                throw new IllegalArgumentException("bnb_4bit_compute_dtype must be a float dtype, found "
                        + bnb4bitComputeDtype);
            }
            if (bnb4bitQuantStorage == null || !STORAGE.contains(bnb4bitQuantStorage)) {
                throw new IllegalArgumentException("bnb_4bit_quant_storage must be one of float16, float32, int8, uint8,"
                        + " float64, bfloat16; found " + bnb4bitQuantStorage);
            }
            if (!Double.isFinite(llmInt8Threshold)) {
                throw new IllegalArgumentException("llm_int8_threshold must be a finite number, found " + llmInt8Threshold);
            }
            Blockwise.checkBlocksize(blocksize, "4-bit");
            return new BitsAndBytesConfig(this);
        }
    }
}
