package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Min-p and typical-p on distributions known by construction (scores = log p), with the kept sets
 * derived by hand from the definitions in transformers' docstrings.
 */
class MinPTypicalTest {

    private static float[] logOf(double... p) {
        float[] s = new float[p.length];
        for (int i = 0; i < p.length; i++) s[i] = (float) Math.log(p[i]);
        return s;
    }

    private static List<Integer> kept(LogitsProcessor p, float[] scores) {
        float[][] rows = {scores.clone()};
        p.process(new int[][] {{0}}, rows);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (rows[0][i] != Float.NEGATIVE_INFINITY) {
                assertEquals(scores[i], rows[0][i], "kept scores are unchanged");
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void minPRemovesTokensBelowMinPTimesTheTopProbability() {
        float[] s = logOf(0.5, 0.3, 0.15, 0.05);
        // threshold 0.2 * 0.5 = 0.1: only p = 0.05 is below
        assertEquals(List.of(0, 1, 2), kept(new MinPLogitsWarper(0.2), s));
        // threshold 0.5 * 0.5 = 0.25: 0.15 and 0.05 go
        assertEquals(List.of(0, 1), kept(new MinPLogitsWarper(0.5), s));
        // min_tokens_to_keep=3 keeps the three highest whatever the threshold
        assertEquals(List.of(0, 1, 2), kept(new MinPLogitsWarper(0.9, 3), s));
    }

    /**
     * p = (0.4, 0.3, 0.2, 0.1): entropy H = 1.27985; |-log p - H| = (0.3636, 0.0759, 0.3296, 1.0227),
     * so the typical order is tokens 1, 2, 0, 3 with cumulative mass 0.3, 0.5, 0.9, 1.0.
     * mass 0.6: two cumulative values are < 0.6, the cut is at the third (token 0), token 3 goes.
     * mass 0.4: one value is < 0.4, the cut is at token 2, tokens 0 and 3 go.
     */
    @Test
    void typicalKeepsTokensClosestToTheEntropy() {
        float[] s = logOf(0.4, 0.3, 0.2, 0.1);
        assertEquals(List.of(0, 1, 2), kept(new TypicalLogitsWarper(0.6), s));
        assertEquals(List.of(1, 2), kept(new TypicalLogitsWarper(0.4), s));
        assertEquals(List.of(0, 1, 2), kept(new TypicalLogitsWarper(0.1, 3), s));
    }

    @Test
    void fromConfigAppendsMinPAndTypicalAfterTopP() {
        GenerationConfig c = GenerationConfig.builder().doSample(true).topK(0).topP(0.9).minP(0.05).typicalP(0.95).build();
        List<String> names = LogitsProcessorList.fromConfig(c, 1).processors().stream()
                .map(p -> p.getClass().getSimpleName()).toList();
        assertEquals(List.of("TopPLogitsWarper", "MinPLogitsWarper", "TypicalLogitsWarper"), names);
        assertEquals(0, LogitsProcessorList.fromConfig(c.withOverrides(b -> b.doSample(false)), 1).size(),
                "greedy ignores the warpers");
    }
}
