package dev.tune4j.generation;

import java.util.List;

/**
 * What {@link Generator#generateDetailed} returns; transformers' {@code GenerateDecoderOnlyOutput}
 * ({@code return_dict_in_generate=True}).
 *
 * @param sequences    every row's prompt (left padding included) followed by its new tokens, all
 *                     rows of one length; after a row's eos come pad ids
 * @param promptLength the prompt length, padding included
 * @param scores       per step, the processed scores [batch][vocab] ({@code output_scores}); empty unless asked
 * @param logits       per step, the raw logits [batch][vocab] ({@code output_logits}); empty unless asked
 */
public record GenerationResult(int[][] sequences, int promptLength, List<float[][]> scores, List<float[][]> logits) {

    /** Copies the lists (not the arrays). */
    public GenerationResult {
        scores = List.copyOf(scores);
        logits = List.copyOf(logits);
    }

    /** Number of generation steps (new tokens per row, pads included). */
    public int numSteps() {
        return sequences.length == 0 ? 0 : sequences[0].length - promptLength;
    }

    /** The generated part of each row, [batch][numSteps]. */
    public int[][] newTokens() {
        int[][] out = new int[sequences.length][];
        for (int b = 0; b < sequences.length; b++) {
            out[b] = java.util.Arrays.copyOfRange(sequences[b], promptLength, sequences[b].length);
        }
        return out;
    }
}
