package dev.tune4j.generation;

/**
 * Keeps the scores at least as large as the k-th largest and sets the others to {@code -inf};
 * transformers' {@code TopKLogitsWarper}. Ties with the k-th value are all kept, so more than k
 * tokens can survive; k is clamped to the vocabulary size.
 */
public final class TopKLogitsWarper implements LogitsProcessor {
    private final int topK;

    /** Top-k with {@code min_tokens_to_keep=1}. */
    public TopKLogitsWarper(int topK) {
        this(topK, 1);
    }

    /**
     * @param topK            number of tokens to keep, > 0
     * @param minTokensToKeep lower bound on k (transformers raises k to it), >= 1
     */
    public TopKLogitsWarper(int topK, int minTokensToKeep) {
        if (topK <= 0) {
            throw new IllegalArgumentException("top_k has to be a strictly positive integer, but is " + topK);
        }
        if (minTokensToKeep < 1) {
            throw new IllegalArgumentException("min_tokens_to_keep has to be a positive integer, but is " + minTokensToKeep);
        }
        this.topK = Math.max(topK, minTokensToKeep);
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        for (float[] row : scores) {
            if (row.length == 0) {
                continue;
            }
            float kth = ScoreMath.kthLargest(row, Math.min(topK, row.length));
            for (int i = 0; i < row.length; i++) {
                if (row[i] < kth) {
                    row[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** The effective k (after raising it to min_tokens_to_keep). */
    public int topK() {
        return topK;
    }

    @Override
    public String toString() {
        return "TopKLogitsWarper(top_k=" + topK + ", filter_value=-inf)";
    }
}
