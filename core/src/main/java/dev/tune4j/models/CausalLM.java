package dev.tune4j.models;

import dev.tune4j.nn.Module;
import java.nio.file.Path;

/**
 * A causal language model: transformers' {@code AutoModelForCausalLM} result.
 *
 * <pre>{@code
 * try (CausalLM model = AutoModelForCausalLM.fromPretrained(Path.of("llama_tiny"))) {
 *     Tensor logits = model.forward(new int[][] {{1, 15, 27}}, null, null).logits(); // [1, 3, vocab]
 * }
 * }</pre>
 */
public interface CausalLM extends AutoCloseable {
    /** The parsed config.json. */
    ModelConfig config();

    /** The module tree, whose parameter names are the Hugging Face state-dict keys. */
    Module module();

    /**
     * A forward pass. {@code attentionMask} and {@code positionIds} may be null (no padding;
     * positions 0..seq-1), as in transformers.
     */
    default CausalLMOutput forward(int[][] inputIds, int[][] attentionMask, int[][] positionIds) {
        return forward(new ForwardArgs(inputIds, attentionMask, positionIds, null, false));
    }

    /** A forward pass with labels (loss) and hidden states on request. */
    CausalLMOutput forward(ForwardArgs args);

    /** Writes config.json, generation_config.json and model.safetensors (sharded past 5 GB). */
    void savePretrained(Path dir);

    /** Releases memory-mapped weights. The model must not be used afterwards. */
    @Override
    void close();
}
