package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generation loop against transformers' {@code generate()} on llama_tiny, with the model
 * replaced by the raw logits transformers recorded at each step. The loop's processing, token
 * choice, eos handling, padding of finished rows, lengths, positions and masks must give the golden
 * {@code sequences} exactly and the golden processed scores bit for bit.
 */
class GeneratorReplayTest {
    private static final int PROMPT_1_LENGTH = 7;

    /** llama_tiny's own generation_config.json, then generate(do_sample=False, pad_token_id=0, **kwargs). */
    private static GenerationConfig config(Map<String, ?> kwargs) {
        GenerationConfig base = GenerationConfig.fromPretrained(SharedData.require("golden/llama_tiny"));
        return base.withOverrides(Map.of("do_sample", false, "pad_token_id", 0)).withOverrides(kwargs);
    }

    private static int[][] prefillPositions(int[][] mask) {
        // transformers: position_ids = cumsum(mask) - 1, masked positions set to 1 (golden README §3)
        JsonNode inputs = Golden.llamaExpectedJson().get("inputs");
        if (mask.length == 2) {
            return Golden.ints2(inputs.get("position_ids_3"));
        }
        int[] p = new int[mask[0].length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        return new int[][] {p};
    }

    private record Prompt(int[][] ids, int[][] mask, float[][][] greedyLogits) {}

    private static Prompt prompt(boolean batch) {
        JsonNode prompts = Golden.generationJson().get("prompts");
        TestSafetensors llama = Golden.llamaExpectedTensors();
        if (batch) {
            return new Prompt(Golden.ints2(prompts.get("prompt_3")), Golden.ints2(prompts.get("attention_mask_3")),
                    llama.f32x3("gen_logits_3"));
        }
        int[] ids = Golden.ints(prompts.get("prompt_1"));
        int[] mask = new int[ids.length];
        java.util.Arrays.fill(mask, 1);
        return new Prompt(new int[][] {ids}, new int[][] {mask}, llama.f32x3("gen_logits_1"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void plainGreedyMatchesTransformers(boolean batch) {
        JsonNode gen = Golden.llamaExpectedJson().get("generation");
        Prompt p = prompt(batch);
        int[][] expected = Golden.ints2(gen.get(batch ? "sequences_3" : "sequences_1"));
        ReplayDecoder decoder = new ReplayDecoder(p.greedyLogits(), expected, prefillPositions(p.mask()), p.mask());
        int[][] actual = Generator.generate(decoder, p.ids(), p.mask(), config(Map.of("max_new_tokens", 20)));
        assertArrayEquals(expected, actual);
        assertEquals(20, decoder.calls(), "one prefill and 19 decode steps for 20 new tokens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"repetition_penalty_1.3", "repetition_penalty_1.3_batch", "no_repeat_ngram_size_2",
            "no_repeat_ngram_size_2_batch", "eos_early_stop", "eos_early_stop_batch", "eos_list", "eos_is_first_token"})
    void caseMatchesTransformers(String name) {
        JsonNode c = Golden.generationJson().get("cases").get(name);
        @SuppressWarnings("unchecked")
        Map<String, Object> kwargs = new ObjectMapper().convertValue(c.get("kwargs"), Map.class);
        GenerationConfig config = config(kwargs);
        boolean batch = c.get("prompt").asText().startsWith("prompt_3");
        Prompt p = prompt(batch);
        TestSafetensors tensors = Golden.generationTensors();
        float[][][] goldenScores = tensors.f32x3(name + "/scores");
        // raw logits are stored where processing changes them; otherwise they are the scores, and
        // for the eos cases also plain greedy's logits (eos only changes when to stop)
        boolean hasLogits = name.startsWith("repetition") || name.startsWith("no_repeat");
        float[][][] raw = hasLogits ? tensors.f32x3(name + "/logits") : p.greedyLogits();
        int[][] expected = Golden.ints2(c.get("sequences"));
        int steps = c.get("num_steps").intValue();
        int[][] newTokens = Golden.ints2(c.get("new_tokens"));
        List<Integer> eos = config.eosTokenIds();

        ReplayDecoder decoder = new ReplayDecoder(raw, expected, prefillPositions(p.mask()), p.mask());
        GenerationResult result = Generator.generateDetailed(decoder, p.ids(), p.mask(), config,
                GenerateOptions.builder().outputScores(true).outputLogits(true).build());

        assertArrayEquals(expected, result.sequences(), name + ": sequences");
        assertEquals(steps, result.numSteps());
        assertEquals(steps, result.scores().size());
        assertEquals(steps, decoder.calls());
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < p.ids().length; b++) {
                if (finishedBefore(newTokens[b], s, eos)) {
                    continue; // transformers fed pad to this row; the replayed logits are greedy's
                }
                if (!hasLogits) {
                    LogitsProcessorGoldenTest.assertBitExact(goldenScores[s][b], p.greedyLogits()[s][b],
                            name + ": premise, scores equal plain greedy logits at step " + s + " row " + b);
                }
                LogitsProcessorGoldenTest.assertBitExact(goldenScores[s][b], result.scores().get(s)[b],
                        name + ": processed scores at step " + s + " row " + b);
                LogitsProcessorGoldenTest.assertBitExact(raw[s][b], result.logits().get(s)[b],
                        name + ": raw logits at step " + s + " row " + b);
            }
        }
        JsonNode banned = c.get("banned_token_ids_per_step");
        if (banned != null) {
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < p.ids().length; b++) {
                    List<Integer> minusInf = new ArrayList<>();
                    float[] row = result.scores().get(s)[b];
                    for (int i = 0; i < row.length; i++) {
                        if (row[i] == Float.NEGATIVE_INFINITY) minusInf.add(i);
                    }
                    List<Integer> exp = new ArrayList<>();
                    banned.get(s).get(b).forEach(x -> exp.add(x.intValue()));
                    assertEquals(exp, minusInf, name + ": banned ids at step " + s + " row " + b);
                }
            }
        }
    }

    private static boolean finishedBefore(int[] newTokens, int step, List<Integer> eos) {
        for (int s = 0; s < step; s++) {
            if (eos.contains(newTokens[s])) return true;
        }
        return false;
    }

    @Test
    void streamerSeesEachTokenOfUnfinishedRowsThenEnd() {
        JsonNode c = Golden.generationJson().get("cases").get("eos_early_stop_batch");
        Prompt p = prompt(true);
        int[][] newTokens = Golden.ints2(c.get("new_tokens"));
        List<List<Integer>> streamed = List.of(new ArrayList<>(), new ArrayList<>());
        int[] ends = {0};
        TokenStreamer streamer = new TokenStreamer() {
            @Override public void put(int row, int tokenId) {
                assertEquals(0, ends[0], "put after end");
                streamed.get(row).add(tokenId);
            }
            @Override public void end() { ends[0]++; }
        };
        Generator.generate(ReplayDecoder.lenient(p.greedyLogits()), p.ids(), p.mask(),
                config(Map.of("max_new_tokens", 10, "eos_token_id", 448)), streamer);
        // row 0 stops after its eos (448, third token): the pads that follow are not streamed
        assertEquals(List.of(351, 484, 448), streamed.get(0));
        List<Integer> row1 = new ArrayList<>();
        for (int t : newTokens[1]) row1.add(t);
        assertEquals(row1, streamed.get(1));
        assertEquals(1, ends[0]);
    }
}
