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

    /**
     * Checks that {@code inputIds} is a non-empty rectangle and that the mask, position ids and
     * labels given have its shape; returns {@code {batch, seq}}.
     *
     * @throws IllegalArgumentException naming the input, the row and the lengths expected and found
     */
    public int[] requireShapes() {
        if (inputIds == null || inputIds.length == 0) {
            throw new IllegalArgumentException("input_ids has no rows");
        }
        if (inputIds[0] == null || inputIds[0].length == 0) {
            throw new IllegalArgumentException("input_ids rows are empty");
        }
        int batch = inputIds.length;
        int seq = inputIds[0].length;
        requireShape("input_ids", inputIds, batch, seq);
        requireShape("attention_mask", attentionMask, batch, seq);
        requireShape("position_ids", positionIds, batch, seq);
        requireShape("labels", labels, batch, seq);
        return new int[] {batch, seq};
    }

    /**
     * Checks that {@code m} (when not null) has {@code rows} rows of {@code cols} entries.
     *
     * @throws IllegalArgumentException naming {@code name}, the row and the lengths expected and found
     */
    public static void requireShape(String name, int[][] m, int rows, int cols) {
        if (m == null) {
            return;
        }
        if (m.length != rows) {
            throw new IllegalArgumentException(name + " has " + m.length + " rows, expected " + rows);
        }
        for (int r = 0; r < rows; r++) {
            if (m[r] == null || m[r].length != cols) {
                throw new IllegalArgumentException(name + " row " + r + " has length "
                        + (m[r] == null ? "null" : m[r].length) + ", expected " + cols);
            }
        }
    }

    /** The position ids, or 0 .. seq-1 in every row when none were given (transformers' default). */
    public int[][] positionIdsOrDefault() {
        if (positionIds != null) {
            return positionIds;
        }
        int[][] pos = new int[inputIds.length][inputIds[0].length];
        for (int[] row : pos) {
            for (int t = 0; t < row.length; t++) {
                row[t] = t;
            }
        }
        return pos;
    }

    /**
     * The attention mask; without one, position ids that restart at 0 inside a row mark packed
     * documents (as transformers' flash-attention path reads DataCollatorWithFlattening batches):
     * the returned mask numbers them 1, 2, ... so attention stays inside each document. Null when
     * there is no mask and no row restarts.
     */
    public int[][] attentionMaskOrDocuments() {
        if (attentionMask != null || positionIds == null) {
            return attentionMask;
        }
        int[][] docs = new int[positionIds.length][];
        boolean restarts = false;
        for (int b = 0; b < positionIds.length; b++) {
            int[] p = positionIds[b];
            docs[b] = new int[p.length];
            int doc = 1;
            for (int t = 0; t < p.length; t++) {
                if (t > 0 && p[t] == 0) {
                    doc++;
                    restarts = true;
                }
                docs[b][t] = doc;
            }
        }
        return restarts ? docs : null;
    }

    /**
     * The labels shifted for the causal-LM loss, flat [batch * seq]: position t is scored against
     * label t + 1, the last position of each row against -100 (ignored); null without labels.
     */
    public int[] shiftedLabels() {
        if (labels == null) {
            return null;
        }
        int batch = labels.length;
        int seq = labels[0].length;
        int[] shifted = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                shifted[b * seq + t] = t + 1 < seq ? labels[b][t + 1] : -100;
            }
        }
        return shifted;
    }
}
