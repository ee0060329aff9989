package dev.tune4j.generation;

/**
 * Forbids any n-gram from occurring twice in a row's ids; transformers'
 * {@code NoRepeatNGramLogitsProcessor}. For each row, every token that would complete an n-gram
 * already present in the ids so far (prompt and padding included) gets {@code -inf}.
 */
public final class NoRepeatNGramLogitsProcessor implements LogitsProcessor {
    private final int ngramSize;

    /** @param ngramSize n > 0; with 1 no token may appear twice */
    public NoRepeatNGramLogitsProcessor(int ngramSize) {
        if (ngramSize <= 0) {
            throw new IllegalArgumentException("no_repeat_ngram_size has to be a strictly positive integer, but is " + ngramSize);
        }
        this.ngramSize = ngramSize;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        ScoreMath.checkVocab(scores, inputIds, "NoRepeatNGramLogitsProcessor");
        int n = ngramSize;
        for (int b = 0; b < scores.length; b++) {
            int[] ids = inputIds[b];
            int cur = ids.length;
            if (cur + 1 < n) {
                continue;
            }
            int prefixStart = cur + 1 - n; // the n-1 last tokens, which the next token would extend
            for (int i = 0; i + n <= cur; i++) {
                if (samePrefix(ids, i, prefixStart, n - 1)) {
                    int banned = ids[i + n - 1];
                    if (banned < 0 || banned >= scores[b].length) {
                        throw new IllegalArgumentException("NoRepeatNGramLogitsProcessor: token id " + banned
                                + " in row " + b + " is outside the vocabulary [0, " + scores[b].length + ")");
                    }
                    scores[b][banned] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private static boolean samePrefix(int[] ids, int a, int b, int len) {
        for (int k = 0; k < len; k++) {
            if (ids[a + k] != ids[b + k]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "NoRepeatNGramLogitsProcessor(ngram_size=" + ngramSize + ")";
    }
}
