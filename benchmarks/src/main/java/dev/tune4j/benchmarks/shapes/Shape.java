package dev.tune4j.benchmarks.shapes;

import java.util.Locale;

/**
 * Model shapes people run, as their Hugging Face config.json states them (layer sizes, heads,
 * vocabulary, tying, RoPE), so a random checkpoint of the shape costs what the real one costs.
 * Values are the published configs of the named models; weights are random.
 */
public enum Shape {
    /** The Llama-shaped bench model of ../shared/bench (124.7M parameters, untied head). */
    BENCH("""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 768,
             "intermediate_size": 2048, "num_hidden_layers": 12, "num_attention_heads": 12,
             "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 32000, "max_position_embeddings": 8192,
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false, "hidden_act": "silu",
             "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02, "torch_dtype": "bfloat16"}
            """),
    /** Qwen/Qwen2.5-0.5B: q/k/v biases, 151,936-token vocabulary, tied head. */
    QWEN2_5_0_5B("""
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
             "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
             "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": true, "hidden_act": "silu",
             "sliding_window": 32768, "max_window_layers": 24, "use_sliding_window": false,
             "bos_token_id": 151643, "eos_token_id": 151643, "initializer_range": 0.02, "torch_dtype": "bfloat16"}
            """),
    /** meta-llama/Llama-3.2-1B: 128,256-token vocabulary, tied head, llama3 RoPE scaling. */
    LLAMA3_2_1B("""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
             "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
             "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "max_position_embeddings": 131072,
             "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": true, "hidden_act": "silu",
             "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "bos_token_id": 128000, "eos_token_id": 128001, "initializer_range": 0.02, "torch_dtype": "bfloat16"}
            """),
    /** meta-llama/Llama-2-7b-hf: multi-head attention, 32,000-token vocabulary, untied head. */
    LLAMA2_7B("""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false, "hidden_act": "silu",
             "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02, "torch_dtype": "bfloat16"}
            """),
    /** meta-llama/Llama-3.1-8B: GQA 32/8, 128,256-token vocabulary, untied head. */
    LLAMA3_1_8B("""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072,
             "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": false, "hidden_act": "silu",
             "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "bos_token_id": 128000, "eos_token_id": 128001, "initializer_range": 0.02, "torch_dtype": "bfloat16"}
            """);

    private final String configJson;

    Shape(String configJson) {
        this.configJson = configJson;
    }

    /** config.json of the shape. */
    public String configJson() {
        return configJson;
    }

    /** The shape named {@code name}: the constant's name in any case, with '-' or '.' for '_'. */
    public static Shape named(String name) {
        String n = name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
        for (Shape s : values()) {
            if (s.name().equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + name + "'; known: "
                + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT));
    }
}
