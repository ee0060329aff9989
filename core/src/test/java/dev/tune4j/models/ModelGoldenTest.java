package dev.tune4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forward passes of the three golden tiny models against transformers 4.45 (eager attention):
 * logits, hidden states and losses, for a single token, short and long sequences, and a
 * left-padded batch with and without position ids.
 */
class ModelGoldenTest {
    static final float ATOL = 1e-4f;

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void logitsHiddenStatesAndLossesMatchTransformers(String name) {
        try (GoldenModels g = new GoldenModels(name); CausalLM model = AutoModelForCausalLM.fromPretrained(g.dir)) {
            for (int i = 0; i < 3; i++) {
                int[][] ids = g.ints("input_ids_" + i);
                CausalLMOutput out = model.forward(new ForwardArgs(ids, null, null, ids, true));
                assertClose(g.tensor("logits_" + i), out.logits(), null, name + " logits_" + i);
                assertClose(g.tensor("hidden_states_" + i), out.hiddenStates(), null, name + " hidden_states_" + i);
                var loss = g.expected.get("loss").get("loss_" + i);
                if (loss.isNull()) {
                    assertTrue(Float.isNaN(out.loss()), "a one-token sequence has no targets: NaN like torch");
                } else {
                    assertEquals(loss.asDouble(), out.loss(), 1e-5, name + " loss_" + i);
                }
                double norm = frobenius(out.hiddenStates(), model.config().numHiddenLayers());
                double expectedNorm = g.expected.get("last_hidden_norm").get("norm_" + i).asDouble();
                assertEquals(expectedNorm, norm, expectedNorm * 1e-5, name + " last hidden norm " + i);
            }
            int[][] ids = g.ints("input_ids_3");
            int[][] mask = g.ints("attention_mask_3");
            int[][] pos = g.ints("position_ids_3");
            int[][] labels = new int[ids.length][];
            for (int r = 0; r < ids.length; r++) {
                labels[r] = ids[r].clone();
                for (int c = 0; c < ids[r].length; c++) {
                    if (mask[r][c] == 0) {
                        labels[r][c] = -100;
                    }
                }
            }
            CausalLMOutput out = model.forward(new ForwardArgs(ids, mask, pos, labels, true));
            assertClose(g.tensor("logits_3"), out.logits(), mask, name + " logits_3");
            assertClose(g.tensor("hidden_states_3"), out.hiddenStates(), mask, name + " hidden_states_3");
            assertEquals(g.expected.get("loss").get("loss_3").asDouble(), out.loss(), 1e-5, name + " loss_3");

            CausalLMOutput nopos = model.forward(new ForwardArgs(ids, mask, null, labels, false));
            assertClose(g.tensor("logits_3_nopos"), nopos.logits(), mask, name + " logits_3_nopos");
            assertEquals(g.expected.get("loss").get("loss_3_nopos").asDouble(), nopos.loss(), 1e-5, name + " loss_3_nopos");
        }
    }

    /** Frobenius norm of the last hidden state (after the final norm). */
    private static double frobenius(Tensor hidden, int layers) {
        float[] d = hidden.data();
        int per = d.length / (layers + 1);
        double ss = 0;
        for (int i = layers * per; i < d.length; i++) {
            ss += (double) d[i] * d[i];
        }
        return Math.sqrt(ss);
    }

    /**
     * Compares tensors whose last three dims are [batch, seq, width]; with a mask, only positions
     * whose mask is 1 (padded positions hold implementation artifacts in transformers).
     */
    static void assertClose(Tensor expected, Tensor actual, int[][] mask, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        int rank = expected.rank();
        int width = expected.dim(rank - 1);
        int seq = expected.dim(rank - 2);
        int batch = expected.dim(rank - 3);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        float worst = 0;
        for (int i = 0; i < e.length; i++) {
            int tok = i / width;
            int t = tok % seq;
            int b = (tok / seq) % batch;
            if (mask != null && mask[b][t] == 0) {
                continue;
            }
            float diff = Math.abs(e[i] - a[i]);
            if (!(diff <= ATOL)) {
                throw new AssertionError(what + ": element " + i + " (batch " + b + ", pos " + t + ") expected "
                        + e[i] + " but was " + a[i]);
            }
            worst = Math.max(worst, diff);
        }
    }
}
