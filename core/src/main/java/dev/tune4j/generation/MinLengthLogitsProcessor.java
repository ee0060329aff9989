package dev.tune4j.generation;

import java.util.List;

/**
 * Suppresses the eos ids while a row is shorter than {@code min_length} (prompt included);
 * transformers' {@code MinLengthLogitsProcessor}. Eos ids outside the vocabulary are ignored.
 */
public final class MinLengthLogitsProcessor implements LogitsProcessor {
    private final int minLength;
    private final int[] eos;

    /**
     * @param minLength  total length (prompt included) below which eos is suppressed, >= 0
     * @param eosTokenIds the end-of-sequence ids
     */
    public MinLengthLogitsProcessor(int minLength, List<Integer> eosTokenIds) {
        if (minLength < 0) {
            throw new IllegalArgumentException("min_length has to be a non-negative integer, but is " + minLength);
        }
        this.minLength = minLength;
        this.eos = eosTokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        ScoreMath.checkVocab(scores, inputIds, "MinLengthLogitsProcessor");
        for (int b = 0; b < scores.length; b++) {
            if (inputIds[b].length < minLength) {
                suppress(scores[b], eos);
            }
        }
    }

    static void suppress(float[] row, int[] eos) {
        for (int id : eos) {
            if (id >= 0 && id < row.length) {
                row[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    @Override
    public String toString() {
        return "MinLengthLogitsProcessor(min_length=" + minLength + ")";
    }
}
