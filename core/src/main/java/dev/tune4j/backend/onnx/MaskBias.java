package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;

/**
 * The additive attention bias a traced graph takes instead of a mask: 0 where a query sees a key,
 * and where it does not, the value transformers' eager attention ends with there: finfo.min, or
 * -inf where GPT-2's causal and padding masks both apply. Added to the scores, finfo.min swallows
 * any score (it is exact in float32), so a query that sees nothing gets the same uniform weights
 * as in transformers and in the CPU backend ({@link AttentionSpec.MaskedRows}).
 */
final class MaskBias {
    /** torch.finfo(torch.float32).min. */
    static final float FINFO_MIN = -Float.MAX_VALUE;

    private MaskBias() {}

    /**
     * Bias [batch, qLen, past + qLen] for queries at slots past..past+qLen-1.
     *
     * @param mask [batch][>= past + qLen] (1 = token, 0 = padding, document ids when packed), or null
     */
    static float[] compute(int batch, int qLen, int past, int[][] mask, int window, AttentionSpec.MaskedRows rows) {
        int kvLen = past + qLen;
        // heads, head dim and scale do not matter for visibility; the spec carries the masking rules.
        AttentionSpec spec = new AttentionSpec(batch, qLen, past, kvLen, 1, 1, 1, 1f, mask, window, rows);
        float[] out = new float[batch * qLen * kvLen];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < qLen; i++) {
                int qSlot = past + i;
                int off = (b * qLen + i) * kvLen;
                for (int j = 0; j < kvLen; j++) {
                    if (spec.visible(b, qSlot, j)) {
                        continue;
                    }
                    boolean min = rows == AttentionSpec.MaskedRows.ALL_KEYS || j <= qSlot || mask == null || mask[b][j] != 0;
                    out[off + j] = min ? FINFO_MIN : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return out;
    }
}
