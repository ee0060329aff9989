package dev.tune4j.generation;

import java.util.Arrays;

/** Stops every row once the total length (prompt included) reaches {@code maxLength}; transformers' {@code MaxLengthCriteria}. */
public final class MaxLengthCriteria implements StoppingCriteria {
    private final int maxLength;

    /** @param maxLength total length, prompt and padding included */
    public MaxLengthCriteria(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    public boolean[] isDone(int[][] inputIds, float[][] scores) {
        boolean[] done = new boolean[inputIds.length];
        Arrays.fill(done, inputIds.length > 0 && inputIds[0].length >= maxLength);
        return done;
    }

    /** The total length at which generation stops. */
    public int maxLength() {
        return maxLength;
    }
}
