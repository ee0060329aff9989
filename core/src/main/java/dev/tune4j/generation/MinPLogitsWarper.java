package dev.tune4j.generation;

/**
 * Removes tokens whose probability is below {@code min_p} times the top token's probability;
 * transformers' {@code MinPLogitsWarper}. The {@code min_tokens_to_keep} highest scores are
 * always kept. Probabilities are float32 and {@code min_p} is rounded to float32 before the product,
 * as in torch.
 */
public final class MinPLogitsWarper implements LogitsProcessor {
    private final double minP;
    private final int minTokensToKeep;

    /** Min-p with {@code min_tokens_to_keep=1}. */
    public MinPLogitsWarper(double minP) {
        this(minP, 1);
    }

    /**
     * @param minP            relative probability threshold in [0, 1]
     * @param minTokensToKeep tokens that are always kept, >= 1
     */
    public MinPLogitsWarper(double minP, int minTokensToKeep) {
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p has to be a float in the [0, 1] interval, but is " + minP);
        }
        if (minTokensToKeep < 1) {
            throw new IllegalArgumentException("min_tokens_to_keep has to be a positive integer, but is " + minTokensToKeep);
        }
        this.minP = minP;
        this.minTokensToKeep = minTokensToKeep;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        float factor = (float) minP;
        for (float[] row : scores) {
            if (row.length == 0) {
                continue;
            }
            float[] probs = ScoreMath.softmax(row);
            float top = Float.NEGATIVE_INFINITY;
            for (float p : probs) {
                top = Math.max(top, p);
            }
            float scaled = factor * top;
            boolean[] remove = new boolean[row.length];
            for (int i = 0; i < row.length; i++) {
                remove[i] = probs[i] < scaled;
            }
            if (minTokensToKeep == 1) {
                remove[Sampling.argmax(row)] = false; // the common case needs no sort
            } else {
                int[] order = ScoreMath.argsortDescending(row);
                for (int j = 0; j < Math.min(minTokensToKeep, order.length); j++) {
                    remove[order[j]] = false;
                }
            }
            for (int i = 0; i < row.length; i++) {
                if (remove[i]) {
                    row[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MinPLogitsWarper(min_p=" + dev.tune4j.io.PythonJson.floatRepr(minP) + ", min_tokens_to_keep=" + minTokensToKeep + ")";
    }
}
