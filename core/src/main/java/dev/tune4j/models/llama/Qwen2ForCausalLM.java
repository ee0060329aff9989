package dev.tune4j.models.llama;

import dev.tune4j.backend.Backend;
import dev.tune4j.models.LlamaConfig;
import dev.tune4j.nn.WeightPath;

/** Qwen2ForCausalLM: the Llama decoder with q/k/v biases and, usually, tied embeddings. */
public final class Qwen2ForCausalLM extends LlamaForCausalLM {
    public Qwen2ForCausalLM(LlamaConfig config, WeightPath root, Backend backend) {
        super(config, root, backend);
    }
}
