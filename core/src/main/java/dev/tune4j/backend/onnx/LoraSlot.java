package dev.tune4j.backend.onnx;

/**
 * A linear layer traced with a run-time LoRA branch: graph inputs {@link #a()} [r, in] and
 * {@link #b()} [out, r] (overridable initializers of rank 0 by default), added as
 * {@code y = base + (x A^T) B^T}.
 *
 * @param module the layer's Hugging Face name, e.g. {@code model.layers.0.self_attn.q_proj}
 */
record LoraSlot(String module, int inFeatures, int outFeatures) {
    String a() {
        return module + ".lora_A.weight";
    }

    String b() {
        return module + ".lora_B.weight";
    }
}
