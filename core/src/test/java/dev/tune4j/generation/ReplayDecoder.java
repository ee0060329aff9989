package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/**
 * An {@link IncrementalDecoder} that returns logits recorded from transformers' {@code generate()}
 * step by step, and, when given the expected sequences, checks what the loop feeds it: the prompt
 * with HF's prefill position ids and mask, then each previous token at one past the row's last
 * position, with the mask grown by a column of 1s.
 */
final class ReplayDecoder implements IncrementalDecoder {
    private final float[][][] logits;          // [steps][batch][vocab]
    private final int[][] expectedSequences;   // null: no checks of the fed tokens
    private final int[][] expectedPrefillPositions;
    private final int[][] promptMask;
    private int[] lastPositions;
    private int calls;

    ReplayDecoder(float[][][] logits, int[][] expectedSequences, int[][] expectedPrefillPositions, int[][] promptMask) {
        this.logits = logits;
        this.expectedSequences = expectedSequences;
        this.expectedPrefillPositions = expectedPrefillPositions;
        this.promptMask = promptMask;
    }

    /** Replays without checking the inputs. */
    static ReplayDecoder lenient(float[][][] logits) {
        return new ReplayDecoder(logits, null, null, null);
    }

    int calls() {
        return calls;
    }

    @Override
    public float[][] step(int[][] tokens, int[][] positionIds, int[][] attentionMask) {
        assertTrue(calls < logits.length, "the loop asked for step " + calls + " but only " + logits.length + " were recorded");
        int batch = logits[calls].length;
        assertEquals(batch, tokens.length, "batch of tokens");
        if (promptMask != null) {
            int promptLength = promptMask[0].length;
            for (int b = 0; b < batch; b++) {
                int[] mask = Arrays.copyOf(promptMask[b], promptLength + calls);
                Arrays.fill(mask, promptLength, mask.length, 1);
                assertArrayEquals(mask, attentionMask[b], "attention mask of row " + b + " at call " + calls);
                if (calls == 0) {
                    assertArrayEquals(Arrays.copyOf(expectedSequences[b], promptLength), tokens[b], "prompt of row " + b);
                    assertArrayEquals(expectedPrefillPositions[b], positionIds[b], "prefill position ids of row " + b);
                } else {
                    assertArrayEquals(new int[] {expectedSequences[b][promptLength + calls - 1]}, tokens[b],
                            "token fed to row " + b + " at call " + calls);
                    assertArrayEquals(new int[] {lastPositions[b] + 1}, positionIds[b],
                            "position of row " + b + " at call " + calls);
                }
            }
            lastPositions = new int[batch];
            for (int b = 0; b < batch; b++) {
                lastPositions[b] = positionIds[b][positionIds[b].length - 1];
            }
        }
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = logits[calls][b].clone();
        }
        calls++;
        return out;
    }
}
