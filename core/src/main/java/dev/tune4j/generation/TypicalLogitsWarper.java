package dev.tune4j.generation;

/**
 * Locally typical sampling (Meister et al., 2022); transformers' {@code TypicalLogitsWarper}.
 * Tokens are ranked by how far their surprisal {@code -log p} is from the entropy of the
 * distribution; the closest ones are kept until their probability mass reaches {@code typical_p}.
 */
public final class TypicalLogitsWarper implements LogitsProcessor {
    private final double mass;
    private final int minTokensToKeep;

    /** Typical-p with {@code min_tokens_to_keep=1}. */
    public TypicalLogitsWarper(double mass) {
        this(mass, 1);
    }

    /**
     * @param mass            probability mass to keep, in (0, 1)
     * @param minTokensToKeep tokens that are always kept, >= 1
     */
    public TypicalLogitsWarper(double mass, int minTokensToKeep) {
        if (!(mass > 0 && mass < 1)) {
            throw new IllegalArgumentException("typical_p has to be a float > 0 and < 1, but is " + mass);
        }
        if (minTokensToKeep < 1) {
            throw new IllegalArgumentException("min_tokens_to_keep has to be a positive integer, but is " + minTokensToKeep);
        }
        this.mass = mass;
        this.minTokensToKeep = minTokensToKeep;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        float massF = (float) mass;
        for (float[] row : scores) {
            int v = row.length;
            if (v == 0) {
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (float x : row) {
                max = Math.max(max, x);
            }
            double sumExp = 0;
            for (float x : row) {
                sumExp += (float) Math.exp(x - max);
            }
            float logSum = (float) Math.log(sumExp);
            float[] logp = new float[v];
            double entropy = 0; // nansum: -inf * 0 terms are skipped
            for (int i = 0; i < v; i++) {
                logp[i] = row[i] - max - logSum;
                float term = logp[i] * (float) Math.exp(logp[i]);
                if (!Float.isNaN(term)) {
                    entropy -= term;
                }
            }
            float ent = (float) entropy;
            float[] shifted = new float[v];
            for (int i = 0; i < v; i++) {
                shifted[i] = Math.abs(-logp[i] - ent);
            }
            int[] order = ScoreMath.argsortAscending(shifted);
            float[] sortedLogits = new float[v];
            for (int j = 0; j < v; j++) {
                sortedLogits[j] = row[order[j]];
            }
            float[] probs = ScoreMath.softmax(sortedLogits);
            int lastInd = 0;
            double cum = 0;
            for (int j = 0; j < v; j++) {
                cum += probs[j];
                if ((float) cum < massF) {
                    lastInd++;
                }
            }
            lastInd = Math.min(lastInd, v - 1);
            float cutoff = shifted[order[lastInd]];
            for (int j = Math.min(minTokensToKeep, v); j < v; j++) {
                if (shifted[order[j]] > cutoff) {
                    row[order[j]] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TypicalLogitsWarper(mass=" + dev.tune4j.io.PythonJson.floatRepr(mass) + ", min_tokens_to_keep=" + minTokensToKeep + ")";
    }
}
