package dev.tune4j.generation;

import java.util.List;

/** Marks a row done when its last token is one of the eos ids; transformers' {@code EosTokenCriteria}. */
public final class EosTokenCriteria implements StoppingCriteria {
    private final int[] eos;

    /** @param eosTokenIds one or several end-of-sequence ids */
    public EosTokenCriteria(List<Integer> eosTokenIds) {
        if (eosTokenIds.isEmpty()) {
            throw new IllegalArgumentException("EosTokenCriteria needs at least one eos token id");
        }
        this.eos = eosTokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean[] isDone(int[][] inputIds, float[][] scores) {
        boolean[] done = new boolean[inputIds.length];
        for (int b = 0; b < inputIds.length; b++) {
            int[] row = inputIds[b];
            if (row.length > 0) {
                int last = row[row.length - 1];
                for (int e : eos) {
                    done[b] |= last == e;
                }
            }
        }
        return done;
    }
}
