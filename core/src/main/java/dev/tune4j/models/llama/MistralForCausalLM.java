package dev.tune4j.models.llama;

import dev.tune4j.backend.Backend;
import dev.tune4j.models.LlamaConfig;
import dev.tune4j.nn.WeightPath;

/** MistralForCausalLM: the Llama decoder with a sliding attention window. */
public final class MistralForCausalLM extends LlamaForCausalLM {
    public MistralForCausalLM(LlamaConfig config, WeightPath root, Backend backend) {
        super(config, root, backend);
    }
}
