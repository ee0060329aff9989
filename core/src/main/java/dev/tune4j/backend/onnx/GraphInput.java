package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;

/**
 * One input of a traced graph and how the runtime fills it for a call.
 *
 * @param layer the decoder layer of a past key/value input, else -1
 * @param width features per token of a past key/value input (kv heads x head dim), else 0
 * @param window sliding window of an attention bias input (0 for none)
 * @param maskedRows the transformers masking convention of an attention bias input, else null
 */
record GraphInput(String name, Kind kind, int layer, int width, int window, AttentionSpec.MaskedRows maskedRows) {
    /** What an input carries. */
    enum Kind {
        /** int64 [batch, seq]. */
        INPUT_IDS,
        /** int64 [batch, seq] (GPT-2's learned position embeddings). */
        POSITION_IDS,
        /** float [batch * seq, headDim / 2]: RoPE tables computed by the model's RotaryEmbedding. */
        ROPE_COS,
        ROPE_SIN,
        /** float [batch, seq, past + seq]: 0 where a query sees a key, finfo.min or -inf elsewhere. */
        ATTENTION_BIAS,
        /** float [past, batch, width]: the cache so far, slot-major so a prefix is one contiguous block. */
        PAST_KEY,
        PAST_VALUE
    }

    static GraphInput of(String name, Kind kind) {
        return new GraphInput(name, kind, -1, 0, 0, null);
    }
}
