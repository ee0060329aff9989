package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden tiny models traced into ONNX Runtime (CPU execution provider) against transformers
 * 4.45: logits of every recorded input (the left-padded batch with and without position ids),
 * losses, the cached decode steps, and greedy generations.
 */
class OnnxRuntimeGoldenTest {
    private static final float ATOL = 1e-4f;

    private static CausalLM load(Golden g) {
        return AutoModelForCausalLM.fromPretrained(g.dir,
                LoadOptions.builder().backend("onnxruntime").device("cpu").build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void logitsAndLossesMatchTransformers(String name) {
        try (Golden g = new Golden(name); CausalLM model = load(g)) {
            for (int i = 0; i < 3; i++) {
                int[][] ids = g.ints("input_ids_" + i);
                CausalLMOutput out = model.forward(new ForwardArgs(ids, null, null, ids, false));
                assertClose(g.tensor("logits_" + i), out.logits(), null, name + " logits_" + i);
                var loss = g.expected.get("loss").get("loss_" + i);
                if (loss.isNull()) {
                    assertTrue(Float.isNaN(out.loss()), "a one-token sequence has no targets: NaN like torch");
                } else {
                    assertEquals(loss.asDouble(), out.loss(), 1e-5, name + " loss_" + i);
                }
            }
            int[][] ids = g.ints("input_ids_3");
            int[][] mask = g.ints("attention_mask_3");
            int[][] pos = g.ints("position_ids_3");
            CausalLMOutput out = model.forward(new ForwardArgs(ids, mask, pos, null, false));
            assertClose(g.tensor("logits_3"), out.logits(), mask, name + " logits_3");
            CausalLMOutput nopos = model.forward(new ForwardArgs(ids, mask, null, null, false));
            assertClose(g.tensor("logits_3_nopos"), nopos.logits(), mask, name + " logits_3_nopos");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void hiddenStatesMatchTransformers(String name) {
        try (Golden g = new Golden(name); CausalLM model = load(g)) {
            for (int i = 0; i < 3; i++) {
                int[][] ids = g.ints("input_ids_" + i);
                CausalLMOutput out = model.forward(new ForwardArgs(ids, null, null, ids, true));
                assertClose(g.tensor("hidden_states_" + i), out.hiddenStates(), null, name + " hidden_states_" + i);
                assertClose(g.tensor("logits_" + i), out.logits(), null, name + " logits_" + i + " with hidden states");
                var loss = g.expected.get("loss").get("loss_" + i);
                if (!loss.isNull()) {
                    assertEquals(loss.asDouble(), out.loss(), 1e-5, name + " loss_" + i + " with hidden states");
                }
            }
            int[][] ids = g.ints("input_ids_3");
            int[][] mask = g.ints("attention_mask_3");
            int[][] pos = g.ints("position_ids_3");
            CausalLMOutput out = model.forward(new ForwardArgs(ids, mask, pos, null, true));
            assertClose(g.tensor("hidden_states_3"), out.hiddenStates(), mask, name + " hidden_states_3");
            assertClose(g.tensor("logits_3"), out.logits(), mask, name + " logits_3 with hidden states");
            assertNull(model.forward(new ForwardArgs(ids, mask, pos, null, false)).hiddenStates(),
                    "no hidden states unless asked");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void greedyGenerationsAndCachedStepsMatchTransformers(String name) {
        try (Golden g = new Golden(name); CausalLM model = load(g)) {
            var gen = g.expected.get("generation");
            GenerationConfig cfg = model.generationConfig().toBuilder()
                    .maxNewTokens(gen.get("max_new_tokens").asInt()).doSample(false)
                    .padTokenId(gen.get("pad_token_id").asInt()).build();
            int[][] seq1 = model.generate(Golden.rows(gen.get("prompt_1")), null, cfg);
            assertArrayEquals(Golden.rows(gen.get("sequences_1")), seq1, name + " single prompt");
            int[][] seq3 = model.generate(Golden.rows(gen.get("prompt_3")), Golden.rows(gen.get("attention_mask_3")), cfg);
            int[][] sequences = Golden.rows(gen.get("sequences_3"));
            assertArrayEquals(sequences, seq3, name + " left-padded batch");

            // The raw logits of each step of transformers' generate on the padded batch, through the decode graph.
            int[][] ids = g.ints("input_ids_3");
            int[][] mask = g.ints("attention_mask_3");
            int[][] pos = g.ints("position_ids_3");
            Tensor recorded = g.tensor("gen_logits_3");           // [steps, 2, V]
            int vocab = recorded.dim(2);
            try (IncrementalDecoder decoder = model.newDecoder(2, 2)) {   // capacity 2: the cache must grow
                float[][] logits = decoder.step(ids, pos, mask);
                int[] last = {pos[0][pos[0].length - 1], pos[1][pos[1].length - 1]};
                int[][] full = mask;
                for (int step = 0; ; step++) {
                    for (int b = 0; b < 2; b++) {
                        for (int v = 0; v < vocab; v++) {
                            float e = recorded.getFloat(((long) step * 2 + b) * vocab + v);
                            assertEquals(e, logits[b][v], ATOL, name + " step " + step + " row " + b + " token " + v);
                        }
                    }
                    if (step + 1 == recorded.dim(0)) {
                        break;
                    }
                    int col = ids[0].length + step;
                    last = new int[] {last[0] + 1, last[1] + 1};
                    int[][] grown = new int[2][col + 1];
                    for (int b = 0; b < 2; b++) {
                        System.arraycopy(full[b], 0, grown[b], 0, col);
                        grown[b][col] = 1;
                    }
                    full = grown;
                    logits = decoder.step(new int[][] {{sequences[0][col]}, {sequences[1][col]}},
                            new int[][] {{last[0]}, {last[1]}}, full);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Tensors whose last three dims are [batch, seq, width]; with a mask, only positions whose mask
     * is 1 (padding holds artifacts).
     */
    static void assertClose(Tensor expected, Tensor actual, int[][] mask, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        int rank = expected.rank();
        int width = expected.dim(rank - 1);
        int seq = expected.dim(rank - 2);
        int batch = expected.dim(rank - 3);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            int tok = i / width;
            int t = tok % seq;
            int b = (tok / seq) % batch;
            if (mask != null && mask[b][t] == 0) {
                continue;
            }
            if (!(Math.abs(e[i] - a[i]) <= ATOL)) {
                throw new AssertionError(what + ": element " + i + " (batch " + b + ", pos " + t + ") expected "
                        + e[i] + " but was " + a[i]);
            }
        }
    }
}
