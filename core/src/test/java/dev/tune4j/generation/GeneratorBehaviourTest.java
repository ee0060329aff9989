package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loop semantics beyond the recorded transformers cases: lengths, pad fallback, mask inference,
 * min lengths, user processors and criteria, and input errors. Expectations come from the golden
 * data combined with the documented transformers rule each test names.
 */
class GeneratorBehaviourTest {

    private static JsonNode prompts() {
        return Golden.generationJson().get("prompts");
    }

    private static int[][] prompt1() {
        return new int[][] {Golden.ints(prompts().get("prompt_1"))};
    }

    private static float[][][] greedy1() {
        return Golden.llamaExpectedTensors().f32x3("gen_logits_1");
    }

    private static int[] greedyNew1() {
        return Golden.ints(Golden.llamaExpectedJson().get("generation").get("new_tokens_1"));
    }

    private static int[] newTokens(int[][] sequences, int promptLength) {
        return java.util.Arrays.copyOfRange(sequences[0], promptLength, sequences[0].length);
    }

    @Test
    void maxNewTokensWinsOverMaxLength() {
        GenerationConfig c = GenerationConfig.builder().maxLength(100).maxNewTokens(3).build();
        int[][] out = Generator.generate(ReplayDecoder.lenient(greedy1()), prompt1(), null, c);
        assertArrayEquals(java.util.Arrays.copyOf(greedyNew1(), 3), newTokens(out, 7));
    }

    @Test
    void maxLengthCountsThePrompt() {
        GenerationConfig c = GenerationConfig.builder().maxLength(10).build();
        int[][] out = Generator.generate(ReplayDecoder.lenient(greedy1()), prompt1(), null, c);
        assertEquals(10, out[0].length);
        assertArrayEquals(java.util.Arrays.copyOf(greedyNew1(), 3), newTokens(out, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Generator.generate(ReplayDecoder.lenient(greedy1()), prompt1(), null,
                        GenerationConfig.builder().maxLength(7).build()));
        assertTrue(e.getMessage().contains("max_length is set to 7"), e.getMessage());
    }

    /** Without pad_token_id, transformers pads finished rows with the (first) eos id. */
    @Test
    void eosServesAsPadWhenPadIsUnset() {
        JsonNode c = Golden.generationJson().get("cases").get("eos_early_stop_batch");
        int[][] expected = Golden.ints2(c.get("sequences"));
        for (int t = 15; t < expected[0].length; t++) {
            assertEquals(0, expected[0][t]);
            expected[0][t] = 448; // the golden used pad_token_id=0
        }
        int[][] out = Generator.generate(ReplayDecoder.lenient(Golden.llamaExpectedTensors().f32x3("gen_logits_3")),
                Golden.ints2(prompts().get("prompt_3")), Golden.ints2(prompts().get("attention_mask_3")),
                GenerationConfig.builder().maxNewTokens(10).eosTokenId(448).build());
        assertArrayEquals(expected, out);
    }

    /** A null mask is inferred from pad (0 here, and not an eos id): the strict replay checks mask and positions. */
    @Test
    void maskIsInferredFromPadding() {
        int[][] ids = Golden.ints2(prompts().get("prompt_3"));
        int[][] mask = Golden.ints2(prompts().get("attention_mask_3"));
        int[][] expected = Golden.ints2(Golden.llamaExpectedJson().get("generation").get("sequences_3"));
        int[][] positions = Golden.ints2(Golden.llamaExpectedJson().get("inputs").get("position_ids_3"));
        ReplayDecoder strict = new ReplayDecoder(Golden.llamaExpectedTensors().f32x3("gen_logits_3"), expected, positions, mask);
        int[][] out = Generator.generate(strict, ids, null,
                GenerationConfig.builder().maxNewTokens(20).eosTokenId(2).padTokenId(0).build());
        assertArrayEquals(expected, out);
    }

    /** When pad equals an eos id, padding cannot be told apart from eos: transformers attends everywhere. */
    @Test
    void maskIsAllOnesWhenPadIsEos() {
        List<int[][]> masks = new ArrayList<>();
        IncrementalDecoder recorder = (tokens, positions, mask) -> {
            masks.add(mask);
            return new float[][] {{0f, 1f, 0f}, {0f, 1f, 0f}};
        };
        Generator.generate(recorder, new int[][] {{0, 2}, {1, 2}}, null,
                GenerationConfig.builder().maxNewTokens(1).eosTokenId(0).padTokenId(0).build());
        assertArrayEquals(new int[][] {{1, 1}, {1, 1}}, masks.get(0));
    }

    private static int argmaxExcluding(float[] row, int excluded) {
        int best = -1;
        for (int i = 0; i < row.length; i++) {
            if (i != excluded && (best < 0 || row[i] > row[best])) best = i;
        }
        return best;
    }

    /** eos = the first greedy token (351); a minimum length suppresses it, so the runner-up comes first. */
    @Test
    void minNewTokensAndMinLengthSuppressEos() {
        int eos = greedyNew1()[0];
        int runnerUp = argmaxExcluding(greedy1()[0][0], eos);
        GenerationConfig base = GenerationConfig.builder().maxNewTokens(1).eosTokenId(eos).padTokenId(0).build();
        assertArrayEquals(new int[] {eos}, newTokens(Generator.generate(ReplayDecoder.lenient(greedy1()), prompt1(), null, base), 7));
        for (GenerationConfig c : List.of(base.withOverrides(b -> b.minNewTokens(1)), base.withOverrides(b -> b.minLength(8)))) {
            GenerationResult r = Generator.generateDetailed(ReplayDecoder.lenient(greedy1()), prompt1(), null, c,
                    GenerateOptions.builder().outputScores(true).build());
            assertArrayEquals(new int[] {runnerUp}, r.newTokens()[0]);
            assertEquals(Float.NEGATIVE_INFINITY, r.scores().get(0)[0][eos]);
        }
        // min_length 7 = the prompt length is already reached: nothing suppressed
        assertArrayEquals(new int[] {eos}, newTokens(Generator.generate(ReplayDecoder.lenient(greedy1()), prompt1(), null,
                base.withOverrides(b -> b.minLength(7))), 7));
    }

    /** A user criterion that stops on 448 behaves as eos 448 did in transformers' eos_early_stop_batch. */
    @Test
    void userStoppingCriteriaFinishRows() {
        JsonNode c = Golden.generationJson().get("cases").get("eos_early_stop_batch");
        StoppingCriteria on448 = (ids, scores) -> {
            boolean[] done = new boolean[ids.length];
            for (int b = 0; b < ids.length; b++) done[b] = ids[b][ids[b].length - 1] == 448;
            return done;
        };
        GenerationResult r = Generator.generateDetailed(
                ReplayDecoder.lenient(Golden.llamaExpectedTensors().f32x3("gen_logits_3")),
                Golden.ints2(prompts().get("prompt_3")), Golden.ints2(prompts().get("attention_mask_3")),
                GenerationConfig.builder().maxNewTokens(10).eosTokenId(2).padTokenId(0).build(),
                GenerateOptions.builder().stoppingCriteria(on448).build());
        assertArrayEquals(Golden.ints2(c.get("sequences")), r.sequences());
    }

    @Test
    void userLogitsProcessorRunsInTheChain() {
        int first = greedyNew1()[0];
        LogitsProcessor ban = (ids, scores) -> {
            for (float[] row : scores) row[first] = Float.NEGATIVE_INFINITY;
        };
        GenerationResult r = Generator.generateDetailed(ReplayDecoder.lenient(greedy1()), prompt1(), null,
                GenerationConfig.builder().maxNewTokens(1).build(), GenerateOptions.builder().logitsProcessor(ban).build());
        assertArrayEquals(new int[] {argmaxExcluding(greedy1()[0][0], first)}, r.newTokens()[0]);
        // with sampling, user processors come before the warpers (transformers 4.45 merge order)
        GenerationConfig sampling = GenerationConfig.builder().doSample(true).temperature(0.5).build();
        List<String> names = LogitsProcessorList.fromConfig(sampling, 7, List.of(ban)).processors().stream()
                .map(p -> p == ban ? "user" : p.getClass().getSimpleName()).toList();
        assertEquals(List.of("user", "TemperatureLogitsWarper", "TopKLogitsWarper"), names);
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(2).build();
        IncrementalDecoder d = ReplayDecoder.lenient(new float[3][2][4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Generator.generate(d, new int[][] {{1, 2}, {3}}, null, c));
        assertTrue(e.getMessage().contains("same length"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Generator.generate(d, new int[][] {{1, 2}, {3, 4}}, new int[][] {{1, 1}}, c));
        assertTrue(e.getMessage().contains("attentionMask has 1 rows, expected 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Generator.generate(d, new int[][] {{1, 2}, {3, 4}}, new int[][] {{1, 1}, {2, 1}}, c));
        assertTrue(e.getMessage().contains("attentionMask[1][0] = 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(d, new int[][] {{}, {}}, null, c));
        assertTrue(e.getMessage().contains("at least one token"), e.getMessage());
        IncrementalDecoder wrongBatch = (t, p, m) -> new float[1][4];
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> Generator.generate(wrongBatch, new int[][] {{1}, {2}}, null, c));
        assertTrue(s.getMessage().contains("expected 2 rows"), s.getMessage());
    }

    @Test
    void processorsRejectInvalidParameters() {
        assertThrows(IllegalArgumentException.class, () -> new TemperatureLogitsWarper(0.0));
        assertThrows(IllegalArgumentException.class, () -> new TopKLogitsWarper(0));
        assertThrows(IllegalArgumentException.class, () -> new TopPLogitsWarper(1.5));
        assertThrows(IllegalArgumentException.class, () -> new MinPLogitsWarper(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new TypicalLogitsWarper(1.0));
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPenaltyLogitsProcessor(0.0));
        assertThrows(IllegalArgumentException.class, () -> new NoRepeatNGramLogitsProcessor(0));
        // The configuration is rejected before any logits are read: one made-up step serves.
        float[][][] oneStep = {{{0f, 1f, 0f, 0f}}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(
                ReplayDecoder.lenient(oneStep), new int[][] {{1, 2}}, null,
                GenerationConfig.builder().doSample(true).temperature(0.0).maxNewTokens(1).build()));
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    }
}
