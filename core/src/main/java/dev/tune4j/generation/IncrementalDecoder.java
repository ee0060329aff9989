package dev.tune4j.generation;

/**
 * A causal LM with a KV cache, fed incrementally.
 *
 * <p>{@link Generator} drives it: one prefill call with the whole prompt, then one call per new
 * token. This is what transformers' {@code prepare_inputs_for_generation} + {@code forward} with
 * {@code past_key_values} amount to. The generator never closes the decoder; its owner does.
 */
public interface IncrementalDecoder extends AutoCloseable {
    /** Appends tokens [batch][n] (same n for all rows) at the given positions [batch][n]; attentionMask is the FULL mask so far [batch][past+n] (1 = attend, 0 = padding). Returns the logits of the LAST new position of each row, [batch][vocab]. */
    float[][] step(int[][] tokens, int[][] positionIds, int[][] attentionMask);

    @Override default void close() {}
}
