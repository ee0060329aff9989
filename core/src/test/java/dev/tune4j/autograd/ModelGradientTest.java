package dev.tune4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Parameter;
import dev.tune4j.testing.SharedData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients of every parameter of the golden tiny models against finite differences of the loss,
 * and gradient checkpointing against the plain path.
 */
class ModelGradientTest {
    // A padded batch with ignored labels, as training sees it.
    static final int[][] IDS = {{0, 0, 5, 17, 42, 99, 7, 3}, {11, 12, 13, 14, 15, 16, 17, 18}};
    static final int[][] MASK = {{0, 0, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
    static final int[][] POS = {{1, 1, 0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5, 6, 7}};
    static final int[][] LABELS = {{-100, -100, 5, 17, 42, 99, 7, 3}, {-100, 12, 13, 14, 15, 16, 17, 18}};

    private static float loss(PreTrainedCausalLM m) {
        try (var off = GradMode.noGrad()) {
            return m.forward(new ForwardArgs(IDS, MASK, POS, LABELS, false)).loss();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void everyParameterGradientMatchesFiniteDifferences(String name) {
        try (var m = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(SharedData.require("golden/" + name))) {
            m.requiresGrad(true);
            m.forward(new ForwardArgs(IDS, MASK, POS, LABELS, false)).backward();
            SplittableRandom r = new SplittableRandom(3);
            float eps = 1e-2f;
            for (var e : m.namedParameters().entrySet()) {
                Parameter p = e.getValue();
                assertNotNull(p.grad(), e.getKey() + " got no gradient");
                float[] w = p.value().data();
                float[] g = p.grad().data();
                for (int c = 0; c < 4; c++) {
                    int j = r.nextInt(w.length);
                    float saved = w[j];
                    w[j] = saved + eps;
                    double plus = loss(m);
                    w[j] = saved - eps;
                    double minus = loss(m);
                    w[j] = saved;
                    double fd = (plus - minus) / (2 * eps);
                    assertEquals(fd, g[j], 2e-3 + 3e-2 * Math.abs(fd), name + " " + e.getKey() + "[" + j + "]");
                }
            }
        }
    }

    private static Map<String, float[]> grads(PreTrainedCausalLM m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> out.put(k, p.grad() == null ? null : p.grad().toFloatArray()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "gpt2_tiny"})
    void gradientCheckpointingGivesTheSameLossAndGradients(String name) {
        for (boolean freezeEmbeddings : new boolean[] {false, true}) {
            Map<String, float[]> expected;
            float expectedLoss;
            try (var m = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(SharedData.require("golden/" + name))) {
                m.requiresGrad(true);
                freeze(m, freezeEmbeddings);
                var out = m.forward(new ForwardArgs(IDS, MASK, POS, LABELS, false));
                out.backward();
                expected = grads(m);
                expectedLoss = out.loss();
            }
            try (var m = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(SharedData.require("golden/" + name))) {
                m.requiresGrad(true);
                freeze(m, freezeEmbeddings);
                m.gradientCheckpointing(true);
                var out = m.forward(new ForwardArgs(IDS, MASK, POS, LABELS, false));
                out.backward();
                assertEquals(expectedLoss, out.loss(), 0f, name + " loss");
                Map<String, float[]> actual = grads(m);
                for (var e : expected.entrySet()) {
                    if (e.getValue() == null) {
                        assertNull(actual.get(e.getKey()), e.getKey());
                    } else {
                        assertNotNull(actual.get(e.getKey()), e.getKey() + " lost its gradient under checkpointing"
                                + (freezeEmbeddings ? " with frozen embeddings" : ""));
                        assertArrayEquals(e.getValue(), actual.get(e.getKey()), 1e-6f, e.getKey());
                    }
                }
            }
        }
    }

    private static void freeze(PreTrainedCausalLM m, boolean embeddings) {
        if (!embeddings) {
            return;
        }
        m.namedParameters().forEach((k, p) -> {
            if (k.contains("embed_tokens") || k.contains("wte") || k.contains("wpe") || k.startsWith("lm_head")) {
                p.requiresGrad(false);
            }
        });
    }
}
