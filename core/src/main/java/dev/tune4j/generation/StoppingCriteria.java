package dev.tune4j.generation;

/**
 * Decides, after each generated token, which rows are done; transformers' {@code StoppingCriteria}.
 * A row marked done stays done: {@link Generator} keeps it finished and, when a pad id is known,
 * fills its later positions with pad. Generation ends when every row is done.
 *
 * <pre>{@code
 * // stop a row as soon as it produced token 13 twice in a row
 * StoppingCriteria twoNewlines = (ids, scores) -> {
 *     boolean[] done = new boolean[ids.length];
 *     for (int b = 0; b < ids.length; b++) {
 *         int n = ids[b].length;
 *         done[b] = n >= 2 && ids[b][n - 1] == 13 && ids[b][n - 2] == 13;
 *     }
 *     return done;
 * };
 * }</pre>
 */
@FunctionalInterface
public interface StoppingCriteria {
    /**
     * @param inputIds every row's tokens so far, the token just chosen included, [batch][curLen]
     * @param scores   the processed scores that chose it, [batch][vocab]
     * @return per row, whether it is done
     */
    boolean[] isDone(int[][] inputIds, float[][] scores);
}
