package dev.tune4j.generation;

import java.util.List;

/**
 * Suppresses the eos ids until a row has {@code min_new_tokens} generated tokens; transformers'
 * {@code MinNewTokensLengthLogitsProcessor}. Eos ids outside the vocabulary are ignored.
 */
public final class MinNewTokensLengthLogitsProcessor implements LogitsProcessor {
    private final int promptLengthToSkip;
    private final int minNewTokens;
    private final int[] eos;

    /**
     * @param promptLengthToSkip the prompt length (padding included), not counted as new tokens
     * @param minNewTokens       generated tokens below which eos is suppressed, >= 0
     * @param eosTokenIds        the end-of-sequence ids
     */
    public MinNewTokensLengthLogitsProcessor(int promptLengthToSkip, int minNewTokens, List<Integer> eosTokenIds) {
        if (promptLengthToSkip < 0) {
            throw new IllegalArgumentException("prompt_length_to_skip has to be a non-negative integer, but is " + promptLengthToSkip);
        }
        if (minNewTokens < 0) {
            throw new IllegalArgumentException("min_new_tokens has to be a non-negative integer, but is " + minNewTokens);
        }
        this.promptLengthToSkip = promptLengthToSkip;
        this.minNewTokens = minNewTokens;
        this.eos = eosTokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        ScoreMath.checkVocab(scores, inputIds, "MinNewTokensLengthLogitsProcessor");
        for (int b = 0; b < scores.length; b++) {
            if (inputIds[b].length - promptLengthToSkip < minNewTokens) {
                MinLengthLogitsProcessor.suppress(scores[b], eos);
            }
        }
    }

    @Override
    public String toString() {
        return "MinNewTokensLengthLogitsProcessor(prompt_length_to_skip=" + promptLengthToSkip
                + ", min_new_tokens=" + minNewTokens + ")";
    }
}
