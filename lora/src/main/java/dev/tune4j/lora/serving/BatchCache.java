package dev.tune4j.lora.serving;

import dev.tune4j.models.KvCache;
import dev.tune4j.models.PreTrainedCausalLM;
import java.util.List;

/**
 * The pooled KV cache of the running batch: one row per running sequence, rows aligned on the
 * right, so a sequence that joined later (or has a shorter prompt) sits behind masked slots, exactly
 * as a left-padded prompt in {@code generate()}. Rebuilt when the batch's membership changes.
 */
final class BatchCache {
    /** Spare slots so that a rebuilt cache does not grow on the next steps. */
    private static final int HEADROOM = 32;

    private BatchCache() {}

    /**
     * A new cache holding each sequence's slots right-aligned at {@code [L - len, L)}, L the longest;
     * each sequence now points into it.
     */
    static KvCache rebuild(PreTrainedCausalLM model, List<Sequence> rows) {
        int longest = 0;
        for (Sequence s : rows) {
            longest = Math.max(longest, s.cacheLength);
        }
        KvCache pool = model.newCache(rows.size(), longest + HEADROOM);
        int layers = model.config().numHiddenLayers();
        int cap = pool.capacity();
        for (int l = 0; l < layers; l++) {
            float[] dk = pool.keys(l);
            float[] dv = pool.values(l);
            int width = dk.length / (rows.size() * cap);
            for (int r = 0; r < rows.size(); r++) {
                Sequence s = rows.get(r);
                float[] sk = s.cache.keys(l);
                float[] sv = s.cache.values(l);
                int srcCap = s.cache.capacity();
                int src = (s.cacheRow * srcCap + s.cacheStart) * width;
                int dst = (r * cap + longest - s.cacheLength) * width;
                System.arraycopy(sk, src, dk, dst, s.cacheLength * width);
                System.arraycopy(sv, src, dv, dst, s.cacheLength * width);
            }
        }
        pool.advance(longest);
        for (int r = 0; r < rows.size(); r++) {
            Sequence s = rows.get(r);
            s.cache = pool;
            s.cacheRow = r;
            s.cacheStart = longest - s.cacheLength;
        }
        return pool;
    }

    /** The attention mask [rows][L + 1] of the next step: 0 before each row's first slot, 1 after. */
    static int[][] stepMask(List<Sequence> rows, int poolLength) {
        int[][] mask = new int[rows.size()][poolLength + 1];
        for (int r = 0; r < rows.size(); r++) {
            java.util.Arrays.fill(mask[r], rows.get(r).cacheStart, poolLength + 1, 1);
        }
        return mask;
    }
}
