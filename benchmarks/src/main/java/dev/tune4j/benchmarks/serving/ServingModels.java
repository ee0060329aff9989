package dev.tune4j.benchmarks.serving;

import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model and adapters the serving measurements use: a random 4-layer Llama (hidden 256, vocab
 * 32064 so phi-3's tokenizer fits it) and rank-16 adapters on q/k/v/o with seeded random A and B,
 * written as peft folders.
 */
public final class ServingModels {
    /** A small Llama: big enough that matmuls dominate, small enough for a shared 2-core machine. */
    public static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32064,
             "hidden_size": 256, "intermediate_size": 688, "num_hidden_layers": 4,
             "num_attention_heads": 4, "num_key_value_heads": 4, "head_dim": 64,
             "max_position_embeddings": 1024, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": 32000,
             "initializer_range": 0.1, "torch_dtype": "float32"}
            """;
    public static final long SEED = 3;

    private ServingModels() {}

    public static ModelConfig config() {
        return AutoConfig.fromJson(CONFIG, "serving benchmark config");
    }

    /** The random base model (same weights for the same seed). */
    public static CausalLM base() {
        return AutoModelForCausalLM.fromConfig(config(), SEED);
    }

    /** Writes {@code n} adapters {@code lora-0..lora-(n-1)} under {@code dir}; returns their folders. */
    public static List<Path> writeAdapters(Path dir, int n, int rank) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve("lora-" + i);
            LoraConfig c = LoraConfig.builder().r(rank).loraAlpha(2 * rank)
                    .targetModules("q_proj", "k_proj", "v_proj", "o_proj").initLoraWeights(false).build();
            try (PeftModel m = PeftModel.getPeftModel(base(), c, "default", 100 + i)) {
                m.savePretrained(p);
            }
            out.add(p);
        }
        return out;
    }
}
