package dev.tune4j.backend;

/**
 * Shape and masking of one scaled-dot-product attention call over a key/value buffer.
 *
 * <p>Keys and values live in buffers laid out [batch, kvCapacity, kvHeads * headDim]; the first
 * {@code kvLen} slots of each row are used. Query token {@code t} of a row sits at buffer slot
 * {@code past + t}: it sees slots {@code j <= past + t} whose {@code mask[b][j]} is 1 and, with a
 * sliding window, only those with {@code past + t - j < slidingWindow} (as transformers' Mistral
 * and Qwen2 masks do, by cache slot).
 *
 * <p>A query that sees no key at all (a padding slot before any real token) gets the output
 * transformers' eager attention gives it, because a loss over left-padded batches still reads
 * the logits there: masked scores are {@code finfo.min}, not -inf, so its softmax is uniform over
 * the keys whose score is exactly {@code finfo.min} ({@link MaskedRows}).
 *
 * <p>Packed rows (several documents in one row) mark their documents in the mask with ids 1, 2,
 * 3, ...: a query then sees only keys of its own document. A mask of 0s and 1s is the usual
 * padding mask.
 *
 * @param mask [batch][>= kvLen] with 1 for real tokens and 0 for padding (document ids for packed
 *     rows); null means all 1
 * @param slidingWindow 0 for none
 */
public record AttentionSpec(int batch, int qLen, int past, int kvCapacity, int heads, int kvHeads,
                            int headDim, float scale, int[][] mask, int slidingWindow, MaskedRows maskedRows) {
    /** What a query that sees no key attends to, following the transformers mask of each family. */
    public enum MaskedRows {
        /** Llama, Mistral, Qwen2: one additive finfo.min mask, so every key slot equally. */
        ALL_KEYS,
        /**
         * GPT-2: causal positions replaced by finfo.min and padding then adds finfo.min again, so
         * future padding keys reach -inf and drop out; the rest share the weight equally.
         */
        GPT2
    }

    public AttentionSpec {
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (past + qLen > kvCapacity) {
            throw new IllegalArgumentException("kv buffer of " + kvCapacity + " slots cannot hold " + (past + qLen));
        }
    }

    /** Whether the query at buffer slot {@code qSlot} of {@code row} sees the key at slot {@code j}. */
    public boolean visible(int row, int qSlot, int j) {
        if (j > qSlot) {
            return false;
        }
        if (slidingWindow > 0 && qSlot - j >= slidingWindow) {
            return false;
        }
        if (mask == null) {
            return true;
        }
        int[] m = mask[row];
        int key = m[j];
        int query = m[qSlot];
        return key != 0 && (key == query || (key <= 1 && query <= 1));
    }

    /** Number of key/value slots attended over. */
    public int kvLen() {
        return past + qLen;
    }
}
