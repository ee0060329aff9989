package dev.tune4j.generation;

/**
 * Nucleus filtering; transformers' {@code TopPLogitsWarper}, step for step: sort the scores
 * ascending, take the cumulative sum of their softmax, remove every token whose cumulative
 * probability is {@code <= 1 - top_p}, but never the {@code min_tokens_to_keep} largest.
 *
 * <p>{@code 1 - top_p} is computed in double and rounded to float32 for the comparison, as torch
 * compares a float32 tensor with a Python float. The softmax is float32; the cumulative sum is
 * accumulated in double and stored as float32 per element, which is what torch's CPU {@code cumsum}
 * does for float32 input.
 */
public final class TopPLogitsWarper implements LogitsProcessor {
    private final double topP;
    private final int minTokensToKeep;

    /** Top-p with {@code min_tokens_to_keep=1}. */
    public TopPLogitsWarper(double topP) {
        this(topP, 1);
    }

    /**
     * @param topP            probability mass to keep, in [0, 1]
     * @param minTokensToKeep tokens that are always kept, >= 1
     */
    public TopPLogitsWarper(double topP, int minTokensToKeep) {
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p has to be a float in [0, 1], but is " + topP);
        }
        if (minTokensToKeep < 1) {
            throw new IllegalArgumentException("min_tokens_to_keep has to be a positive integer, but is " + minTokensToKeep);
        }
        this.topP = topP;
        this.minTokensToKeep = minTokensToKeep;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        float threshold = (float) (1.0 - topP);
        for (float[] row : scores) {
            // Entries already at -inf sort first, add exactly 0 to the cumulative sum and stay -inf
            // whatever happens, so only the others are sorted: after top-k that is k of V entries.
            int m = 0;
            int[] live = new int[row.length];
            for (int i = 0; i < row.length; i++) {
                if (row[i] != Float.NEGATIVE_INFINITY) {
                    live[m++] = i;
                }
            }
            float[] values = new float[m];
            for (int j = 0; j < m; j++) {
                values[j] = row[live[j]];
            }
            int[] order = ScoreMath.argsortAscending(values);
            float[] sorted = new float[m];
            for (int j = 0; j < m; j++) {
                sorted[j] = values[order[j]];
            }
            float[] probs = ScoreMath.softmax(sorted);
            int removable = m - minTokensToKeep; // the largest min_tokens_to_keep stay
            double cum = 0;
            for (int j = 0; j < removable; j++) {
                cum += probs[j];
                if ((float) cum <= threshold) {
                    row[live[order[j]]] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** The probability mass kept. */
    public double topP() {
        return topP;
    }

    @Override
    public String toString() {
        return "TopPLogitsWarper(top_p=" + dev.tune4j.io.PythonJson.floatRepr(topP) + ", filter_value=-inf, min_tokens_to_keep="
                + minTokensToKeep + ")";
    }
}
