package dev.tune4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Greedy generation with the KV cache against transformers' generate() on the golden models. */
class GenerationGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void greedyGenerationsAreIdentical(String name) {
        try (GoldenModels g = new GoldenModels(name); CausalLM model = AutoModelForCausalLM.fromPretrained(g.dir)) {
            var gen = g.expected.get("generation");
            GenerationConfig cfg = model.generationConfig().toBuilder()
                    .maxNewTokens(gen.get("max_new_tokens").asInt()).doSample(false)
                    .padTokenId(gen.get("pad_token_id").asInt()).build();
            int[][] prompt1 = {GoldenModels.intRow(gen.get("prompt_1"))};
            List<Integer> streamed = new ArrayList<>();
            int[][] seq1 = model.generate(prompt1, null, cfg, new dev.tune4j.generation.TokenStreamer() {
                @Override
                public void put(int row, int tokenId) {
                    streamed.add(tokenId);
                }
            });
            assertArrayEquals(GoldenModels.intRows(gen.get("sequences_1")), seq1, name + " single prompt");
            var newTokens = GoldenModels.intRow(gen.get("new_tokens_1"));
            assertEquals(newTokens.length, streamed.size(), "one callback per new token");
            for (int i = 0; i < newTokens.length; i++) {
                assertEquals(newTokens[i], streamed.get(i));
            }
            int[][] prompt3 = GoldenModels.intRows(gen.get("prompt_3"));
            int[][] mask3 = GoldenModels.intRows(gen.get("attention_mask_3"));
            int[][] seq3 = model.generate(prompt3, mask3, cfg);
            assertArrayEquals(GoldenModels.intRows(gen.get("sequences_3")), seq3, name + " left-padded batch");
        }
    }

    /** The first cached step equals the full forward's last position; each later step, the full forward of the longer input. */
    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void cachedStepsEqualFullForwardPasses(String name) {
        try (GoldenModels g = new GoldenModels(name);
             var model = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(g.dir)) {
            int[][] ids = g.ints("input_ids_3");
            int[][] mask = g.ints("attention_mask_3");
            int[][] pos = g.ints("position_ids_3");
            Tensor recorded = g.tensor("gen_logits_3");           // [steps, 2, V] raw logits of HF's generate
            int vocab = recorded.dim(2);
            int[][] sequences = GoldenModels.intRows(g.expected.get("generation").get("sequences_3"));
            var decoder = model.newDecoder(2, 8);
            float[][] logits = decoder.step(ids, pos, mask);
            int[] lastPos = {pos[0][pos[0].length - 1], pos[1][pos[1].length - 1]};
            int[][] fullMask = mask;
            for (int step = 0; step < recorded.dim(0); step++) {
                for (int b = 0; b < 2; b++) {
                    for (int v = 0; v < vocab; v++) {
                        float expected = recorded.getFloat(((long) step * 2 + b) * vocab + v);
                        assertEquals(expected, logits[b][v], 1e-4, name + " step " + step + " row " + b);
                    }
                }
                if (step + 1 == recorded.dim(0)) {
                    break;
                }
                // Feed the token generate() chose, as generate() does, with the next position and a grown mask.
                int col = ids[0].length + step;
                int[][] next = {{sequences[0][col]}, {sequences[1][col]}};
                lastPos = new int[] {lastPos[0] + 1, lastPos[1] + 1};
                int[][] grown = new int[2][col + 1];
                for (int b = 0; b < 2; b++) {
                    System.arraycopy(fullMask[b], 0, grown[b], 0, col);
                    grown[b][col] = 1;
                }
                fullMask = grown;
                logits = decoder.step(next, new int[][] {{lastPos[0]}, {lastPos[1]}}, fullMask);
            }
        }
    }
}
