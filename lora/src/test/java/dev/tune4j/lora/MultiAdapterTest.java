package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several adapters on one base: switching, per-row selection, deletion, several active at once. */
class MultiAdapterTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    private PeftModel twoAdapters() {
        PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"));
        peft.loadAdapter(g.peft.resolve("adapter2"), "second");
        return peft;
    }

    /** Row {@code row} of a [2, 12, V] logits tensor. */
    private static Tensor row(Tensor t, int row) {
        int n = t.dim(1) * t.dim(2);
        return Tensor.of(Arrays.copyOfRange(t.toFloatArray(), row * n, (row + 1) * n), 1, t.dim(1), t.dim(2));
    }

    private static int[][] oneRow(int[][] m, int r) {
        return new int[][] {m[r]};
    }

    @Test
    void setAdapterSwitchesBetweenGoldens() {
        try (PeftModel peft = twoAdapters()) {
            assertEquals("default", peft.activeAdapter());
            g.assertLogits("lora_logits", peft);
            peft.setAdapter("second");
            g.assertLogits("adapter2_logits", peft);
            assertThrows(IllegalArgumentException.class, () -> peft.setAdapter("third"));
        }
    }

    @Test
    void adapterNamesPickAnAdapterPerRow() {
        try (PeftModel peft = twoAdapters()) {
            var args = new ForwardArgs(g.ids3, g.mask3, g.pos3, null, false);
            Tensor mixed = peft.forward(args, List.of("second", "default")).logits();
            Tensor mixed2 = peft.forward(args, List.of("__base__", "second")).logits();
            int[][] m0 = oneRow(g.mask3, 0);
            int[][] m1 = oneRow(g.mask3, 1);
            Goldens.assertClose("row 0 second", row(g.expected("adapter2_logits_3"), 0), row(mixed, 0), m0, Goldens.ATOL);
            Goldens.assertClose("row 1 default", row(g.expected("lora_logits_3"), 1), row(mixed, 1), m1, Goldens.ATOL);
            Goldens.assertClose("row 0 base", row(g.expected("logits_3"), 0), row(mixed2, 0), m0, Goldens.ATOL);
            Goldens.assertClose("row 1 second", row(g.expected("adapter2_logits_3"), 1), row(mixed2, 1), m1, Goldens.ATOL);
            // The selection lasts one call only.
            g.assertLogits("lora_logits", peft);
            var e = assertThrows(IllegalArgumentException.class, () -> peft.forward(args, List.of("default", "nope")));
            assertTrue(e.getMessage().contains("nope"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> peft.forward(args, List.of("default")));
        }
    }

    @Test
    void threadsServeDifferentAdapterMixesAtOnce() throws Exception {
        try (PeftModel peft = twoAdapters()) {
            var args = new ForwardArgs(g.ids3, g.mask3, g.pos3, null, false);
            List<List<String>> mixes = List.of(List.of("second", "default"), List.of("default", "__base__"),
                    List.of("__base__", "second"), List.of("default", "default"));
            List<float[]> serial = mixes.stream().map(m -> peft.forward(args, m).logits().toFloatArray()).toList();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<float[]>> futures = new java.util.ArrayList<>();
                for (int rep = 0; rep < 3; rep++) {
                    for (List<String> m : mixes) {
                        futures.add(pool.submit(() -> peft.forward(args, m).logits().toFloatArray()));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertArrayEquals(serial.get(i % mixes.size()), futures.get(i).get(), "mix " + mixes.get(i % mixes.size()));
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void generateWithAdapterNamesEqualsEachAdapterAlone() {
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(6).doSample(false).padTokenId(0).build();
        try (PeftModel peft = twoAdapters()) {
            int[][] mixed = peft.generate(g.ids3, g.mask3, cfg, List.of("second", "default"));
            peft.setAdapter("second");
            int[][] second = peft.generate(g.ids3, g.mask3, cfg);
            peft.setAdapter("default");
            int[][] first = peft.generate(g.ids3, g.mask3, cfg);
            assertArrayEquals(second[0], mixed[0]);
            assertArrayEquals(first[1], mixed[1]);
            assertFalse(Arrays.equals(first[0], second[0]), "the two adapters generate differently");
        }
    }

    @Test
    void twoActiveAdaptersAddUpAndMergeToTheSame() {
        try (PeftModel peft = twoAdapters()) {
            peft.setAdapters(List.of("default", "second"));
            Tensor both = g.logits(peft, 2);
            peft.mergeAdapter();
            Goldens.assertClose("merged default+second", both, g.logits(peft, 2), null, Goldens.ATOL);
            peft.unmergeAdapter();
            assertEquals(List.of("default", "second"), peft.activeAdapters());
            assertTrue(maxDiff(both, g.expected("lora_logits_2")) > 0.1, "the second adapter contributes");
            assertTrue(maxDiff(both, g.expected("adapter2_logits_2")) > 0.1, "the first adapter contributes");
            Goldens.assertClose("unmerged again", both, g.logits(peft, 2), null, Goldens.ATOL);
        }
    }

    private static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    void deleteAdapterFallsBackAsPeftDoes() {
        try (PeftModel peft = twoAdapters()) {
            peft.deleteAdapter("default");
            assertEquals(List.of("second"), peft.activeAdapters());
            assertEquals(List.of("second"), List.copyOf(peft.peftConfig().keySet()));
            assertFalse(peft.namedParameters().keySet().stream().anyMatch(k -> k.contains(".default.")));
            g.assertLogits("adapter2_logits", peft);
            assertThrows(IllegalArgumentException.class, () -> peft.deleteAdapter("default"));
        }
    }

    @Test
    void loadedAdaptersAreFrozenUnlessTrainable() {
        try (PeftModel peft = twoAdapters()) {
            assertTrue(peft.namedParameters().values().stream().noneMatch(p -> p.requiresGrad()));
            assertEquals("trainable params: 0 || all params: 195,392 || trainable%: 0.0000", peft.trainableParametersLine());
        }
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"), "default", true)) {
            assertEquals("trainable params: 18,688 || all params: 176,704 || trainable%: 10.5759",
                    peft.trainableParametersLine());
            assertFalse(peft.peftConfig().get("default").inferenceMode());
        }
    }
}
