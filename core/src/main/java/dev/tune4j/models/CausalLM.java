package dev.tune4j.models;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.Generator;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.generation.TokenStreamer;
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

    /**
     * The model's generation_config.json (or the one transformers derives from config.json): the
     * starting point for {@link #generate}, e.g.
     * {@code model.generationConfig().toBuilder().maxNewTokens(20).build()}.
     */
    GenerationConfig generationConfig();

    /** A fresh KV-cached decoder over this model for {@code batch} rows (capacity is a hint). */
    IncrementalDecoder newDecoder(int batch, int capacityHint);

    /**
     * transformers' {@code generate}: each prompt (left padding included) followed by its new
     * tokens, finished rows filled with the pad id.
     *
     * @param attentionMask [batch][len] with 0 on left padding, or null
     */
    default int[][] generate(int[][] inputIds, int[][] attentionMask, GenerationConfig config) {
        return generate(inputIds, attentionMask, config, null);
    }

    /** {@link #generate(int[][], int[][], GenerationConfig)} with a per-token streaming callback. */
    default int[][] generate(int[][] inputIds, int[][] attentionMask, GenerationConfig config, TokenStreamer streamer) {
        int len = inputIds.length == 0 ? 0 : inputIds[0].length;
        int capacity = len + config.maxNewTokens().orElse(Math.max(1, config.maxLength() - len));
        try (IncrementalDecoder decoder = newDecoder(inputIds.length, capacity)) {
            return Generator.generate(decoder, inputIds, attentionMask, config, streamer);
        }
    }

    /**
     * transformers' {@code gradient_checkpointing_enable()} / {@code _disable()}: decoder layers
     * keep only their inputs during a training forward and are recomputed in backward.
     */
    void gradientCheckpointing(boolean on);

    /** Writes config.json, generation_config.json and model.safetensors (sharded past 5 GB). */
    void savePretrained(Path dir);

    /** Releases memory-mapped weights. The model must not be used afterwards. */
    @Override
    void close();
}
