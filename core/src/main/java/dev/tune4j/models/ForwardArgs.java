package dev.tune4j.models;

/**
 * Inputs of a forward pass, named as transformers names them. Only {@code inputIds} is required.
 *
 * @param attentionMask [batch][seq], 1 for tokens and 0 for padding; null means all 1
 * @param positionIds [batch][seq]; null means 0..seq-1 for every row, as transformers does
 * @param labels [batch][seq] for the loss (shifted inside; -100 ignored); null for no loss
 */
public record ForwardArgs(int[][] inputIds, int[][] attentionMask, int[][] positionIds, int[][] labels,
                          boolean outputHiddenStates) {
    public static ForwardArgs of(int[][] inputIds) {
        return new ForwardArgs(inputIds, null, null, null, false);
    }

    public ForwardArgs withLabels(int[][] l) {
        return new ForwardArgs(inputIds, attentionMask, positionIds, l, outputHiddenStates);
    }

    public ForwardArgs withHiddenStates(boolean on) {
        return new ForwardArgs(inputIds, attentionMask, positionIds, labels, on);
    }
}
