package dev.tune4j.generation;

import java.util.BitSet;

/**
 * Penalises every token already present in a row's ids (prompt, left padding included, and the
 * tokens generated so far); transformers' {@code RepetitionPenaltyLogitsProcessor} (CTRL paper).
 * A negative score is multiplied by the penalty, any other is divided by it; an id present several
 * times is penalised once. Float32 arithmetic with the penalty rounded to float32, as in torch.
 */
public final class RepetitionPenaltyLogitsProcessor implements LogitsProcessor {
    private final double penalty;

    /** @param penalty strictly positive; 1.0 changes nothing, above 1 discourages repetition */
    public RepetitionPenaltyLogitsProcessor(double penalty) {
        if (!(penalty > 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("repetition penalty has to be a strictly positive float, but is " + penalty);
        }
        this.penalty = penalty;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        ScoreMath.checkVocab(scores, inputIds, "RepetitionPenaltyLogitsProcessor");
        float p = (float) penalty;
        for (int b = 0; b < scores.length; b++) {
            float[] row = scores[b];
            BitSet seen = new BitSet(row.length);
            for (int id : inputIds[b]) {
                if (id < 0 || id >= row.length) {
                    throw new IllegalArgumentException("RepetitionPenaltyLogitsProcessor: token id " + id
                            + " in row " + b + " is outside the vocabulary [0, " + row.length + ")");
                }
                if (!seen.get(id)) {
                    seen.set(id);
                    float s = row[id];
                    row[id] = s < 0 ? s * p : s / p;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RepetitionPenaltyLogitsProcessor(penalty=" + dev.tune4j.io.PythonJson.floatRepr(penalty) + ")";
    }
}
