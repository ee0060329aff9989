package dev.tune4j.benchmarks.model;

import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.ModelConfig;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Init;
import dev.tune4j.nn.RandomWeights;
import dev.tune4j.nn.WeightPath;
import dev.tune4j.nn.WeightSource;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The benchmark model of ../shared/bench (Llama-shaped, 124.7M parameters), randomly initialised
 * with a fixed seed; speed does not depend on the values. Read from
 * {@code $TUNE4J_SHARED/bench/llama-125m/config.json} when present, else from the same numbers
 * written here.
 */
public final class BenchModel {
    private BenchModel() {}

    static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 768,
             "intermediate_size": 2048, "num_hidden_layers": 12, "num_attention_heads": 12,
             "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 32000, "max_position_embeddings": 2048,
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false,
             "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
            """;

    public static ModelConfig config() {
        for (String root : new String[] {System.getenv("TUNE4J_SHARED"), "../shared", "../../shared"}) {
            if (root == null) {
                continue;
            }
            Path p = Path.of(root, "bench", "llama-125m", "config.json");
            if (Files.isRegularFile(p)) {
                return AutoConfig.fromPretrained(p);
            }
        }
        return AutoConfig.fromJson(CONFIG, "bench config");
    }

    /**
     * The model with weights held in {@code dtype}: F32 on the heap; BF16/F16 written once to a
     * safetensors checkpoint in that dtype and loaded back memory-mapped, as a real checkpoint is.
     */
    public static PreTrainedCausalLM create(DType dtype) {
        if (dtype == DType.F32) {
            return create(dtype, CpuBackend.INSTANCE);
        }
        try {
            Path dir = Files.createTempDirectory("tune4j-bench-" + dtype);
            try (PreTrainedCausalLM m = create(dtype, CpuBackend.INSTANCE)) {
                m.savePretrained(dir);
            }
            dir.toFile().deleteOnExit();
            return (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The model on a given backend (the recording one for training). */
    public static PreTrainedCausalLM create(DType dtype, dev.tune4j.backend.Backend backend) {
        ModelConfig c = config();
        RandomWeights random = new RandomWeights(1234, c.initializerRange());
        WeightSource source = new WeightSource() {
            @Override
            public Tensor load(String key, int[] shape, Init init) {
                Tensor t = random.load(key, shape, init);
                return dtype == DType.F32 || init == Init.ONES || init == Init.ZEROS ? t : t.to(dtype);
            }

            @Override
            public Set<String> keys() {
                return Set.of();
            }

            @Override
            public String describe() {
                return "bench model (" + dtype + ")";
            }
        };
        return AutoModelForCausalLM.build(c, WeightPath.root(source), backend);
    }
}
