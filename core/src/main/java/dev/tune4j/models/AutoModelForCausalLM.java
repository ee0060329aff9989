package dev.tune4j.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.backend.Backend;
import dev.tune4j.autograd.AutogradBackend;
import dev.tune4j.io.hub.HubClient;
import dev.tune4j.models.gpt2.GPT2LMHeadModel;
import dev.tune4j.models.llama.LlamaForCausalLM;
import dev.tune4j.models.llama.MistralForCausalLM;
import dev.tune4j.models.llama.Qwen2ForCausalLM;
import dev.tune4j.nn.RandomWeights;
import dev.tune4j.nn.WeightPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * transformers' {@code AutoModelForCausalLM}: picks the architecture from config.json's
 * {@code model_type} and loads the weights.
 *
 * <pre>{@code
 * // transformers: model = AutoModelForCausalLM.from_pretrained("path/to/model")
 * try (CausalLM model = AutoModelForCausalLM.fromPretrained(Path.of("path/to/model"))) { ... }
 * }</pre>
 */
public final class AutoModelForCausalLM {
    private static final Logger LOG = LoggerFactory.getLogger(AutoModelForCausalLM.class);

    private AutoModelForCausalLM() {}

    /** Loads a model folder (config.json + safetensors weights) with default options. */
    public static CausalLM fromPretrained(Path dir) {
        return fromPretrained(dir, LoadOptions.defaults());
    }

    /**
     * Loads a local model folder, or a hub repo id ({@code "org/name"}) through the hub cache:
     * the config, safetensors weights and tokenizer files are fetched at {@code options.revision()}
     * with {@link HubClient#defaultClient()} (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN,
     * HF_HUB_OFFLINE) and the snapshot folder is loaded, as transformers does.
     */
    public static CausalLM fromPretrained(String idOrPath, LoadOptions options) {
        Path p = Path.of(idOrPath);
        if (Files.isDirectory(p)) {
            return fromPretrained(p, options);
        }
        if (!HubClient.isRepoId(idOrPath)) {
            throw new IllegalArgumentException("'" + idOrPath + "' is neither a local model folder (no directory at "
                    + p.toAbsolutePath() + ") nor a hub repo id such as 'org/name'");
        }
        Path snapshot = HubClient.defaultClient().snapshotDownload(idOrPath, options.revision(),
                List.of("*.json", "*.safetensors", "tokenizer*", "*.model", "*.txt"), null);
        return fromPretrained(snapshot, options);
    }

    /** Loads a model folder with options (dtype, backend). */
    public static CausalLM fromPretrained(Path dir, LoadOptions options) {
        ModelConfig config = AutoConfig.fromPretrained(dir);
        QuantizationConfig quant = options.quantizationConfig();
        var stored = config.toJson().get("quantization_config");
        if (stored != null && !stored.isNull()) {
            QuantizationConfig fromFile = providedConfig(stored, dir);
            if (quant != null && !quant.quantMethod().equals(fromFile.quantMethod())) {
                throw new IllegalArgumentException(dir + " is already quantized with " + fromFile.quantMethod()
                        + "; it cannot be loaded with quantization_config " + quant.quantMethod());
            }
            quant = fromFile;
        }
        Backend backend = backendFor(options);
        CheckpointWeights weights = new CheckpointWeights(dir, options.torchDtype(), basePrefix(config));
        PreTrainedCausalLM model;
        try {
            model = build(config, quant == null ? WeightPath.root(weights)
                    : WeightPath.root(weights, quant.linearFactory(config)), backend);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        if (quant != null) {
            model.quantizationConfigJson(quant.toConfigJson());
        }
        model.closeWith(weights);
        Set<String> unused = weights.unused();
        unused.removeIf(k -> k.endsWith(".attn.bias") || k.endsWith(".attn.masked_bias") || k.endsWith("rotary_emb.inv_freq"));
        if (!unused.isEmpty()) {
            LOG.warn("Some weights of {} were not used: {}", dir, unused);
        }
        Path gen = dir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            try {
                model.generationConfigJson((ObjectNode) new ObjectMapper().readTree(gen.toFile()));
            } catch (IOException | ClassCastException e) {
                throw new IllegalArgumentException(gen + ": not a JSON object: " + e.getMessage(), e);
            }
        }
        if (options.backend().equals("onnxruntime") && backend instanceof dev.tune4j.backend.onnx.OnnxRuntimeBackend ort) {
            try {
                return options.loraTargetModules().isEmpty() ? ort.compile(model)
                        : ort.compile(model, options.loraTargetModules());
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
        return model;
    }

    /** A randomly initialised model of {@code config} (transformers: from_config + a seed). */
    public static CausalLM fromConfig(ModelConfig config, long seed) {
        return build(config, WeightPath.root(new RandomWeights(seed, config.initializerRange())), AutogradBackend.CPU);
    }

    /** Builds the architecture for {@code config} over any weight source. */
    public static PreTrainedCausalLM build(ModelConfig config, WeightPath root, Backend backend) {
        return switch (config) {
            case LlamaConfig c when "mistral".equals(c.modelType()) -> new MistralForCausalLM(c, root, backend);
            case LlamaConfig c when "qwen2".equals(c.modelType()) -> new Qwen2ForCausalLM(c, root, backend);
            case LlamaConfig c -> new LlamaForCausalLM(c, root, backend);
            case Gpt2Config c -> new GPT2LMHeadModel(c, root, backend);
        };
    }

    private static QuantizationConfig providedConfig(com.fasterxml.jackson.databind.JsonNode stored, Path dir) {
        for (QuantizationProvider p : java.util.ServiceLoader.load(QuantizationProvider.class)) {
            var c = p.fromConfigJson(stored);
            if (c.isPresent()) {
                return c.get();
            }
        }
        throw new IllegalArgumentException(dir.resolve("config.json") + ": quantization_config with quant_method '"
                + stored.path("quant_method").asText("?") + "' needs a module that reads it (add tune4j-quant for bitsandbytes)");
    }

    private static String basePrefix(ModelConfig config) {
        return config instanceof Gpt2Config ? "transformer" : "model";
    }

    private static Backend backendFor(LoadOptions options) {
        return switch (options.backend()) {
            case "cpu" -> AutogradBackend.CPU;
            // Checks for ONNX Runtime reflectively: nothing of it loads unless this backend is chosen.
            case "onnxruntime" -> dev.tune4j.backend.onnx.OnnxRuntimeBackend.create(options.device());
            default -> throw new IllegalArgumentException("unknown backend " + options.backend());
        };
    }
}
