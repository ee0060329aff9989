package dev.tune4j.generation;

/**
 * Changes next-token scores before a token is chosen; transformers' {@code LogitsProcessor}
 * (processors and warpers alike: {@code __call__(input_ids, scores)}).
 *
 * <p>Implementations process every row in place. Removed tokens get {@link Float#NEGATIVE_INFINITY},
 * the {@code filter_value} transformers uses.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /**
     * Processes {@code scores} in place.
     *
     * @param inputIds every row's tokens so far, [batch][curLen]: the prompt (left padding included)
     *                 followed by the tokens generated up to now
     * @param scores   next-token scores, [batch][vocab], changed in place
     */
    void process(int[][] inputIds, float[][] scores);
}
