package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** add_weighted_adapter against peft 0.13.2's combined adapters (weights 0.7 / 0.3). */
class WeightedAdapterTest {
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

    private void check(String type, int r, double alpha, Path tmp) throws Exception {
        try (PeftModel peft = twoAdapters()) {
            String name = "w_" + type;
            peft.addWeightedAdapter(List.of("default", "second"), List.of(0.7, 0.3), name,
                    WeightedAdapterOptions.builder().combinationType(type).svdRank(8).build());
            LoraConfig c = peft.peftConfig().get(name);
            assertEquals(r, c.r());
            assertEquals(alpha, c.loraAlpha());
            for (var e : peft.loraLayers().entrySet()) {
                LoraLinear l = e.getValue();
                assertEquals(1.0, l.scaling(name));
                assertTrue(!l.loraA(name).requiresGrad(), "combined adapters are frozen, as in peft");
                Goldens.assertAllClose(type + " " + e.getKey(),
                        g.expected("weighted_" + type + "_delta/" + e.getKey() + ".weight").toFloatArray(),
                        l.getDeltaWeight(name).toFloatArray(), 1e-5);
            }
            peft.setAdapter(name);
            g.assertLogits("weighted_" + type + "_logits", peft);
            peft.savePretrained(tmp, List.of(name));
            assertEquals(Files.readString(g.peft.resolve("weighted_" + type + "/adapter_config.json")),
                    Files.readString(tmp.resolve(name).resolve("adapter_config.json")));
        }
    }

    @Test
    void linearCombinesAAndBSeparately(@TempDir Path tmp) throws Exception {
        check("linear", 8, 8, tmp);
    }

    @Test
    void catStacksTheFactors(@TempDir Path tmp) throws Exception {
        check("cat", 16, 16, tmp);
    }

    @Test
    void svdFactorisesTheDoublyScaledSum(@TempDir Path tmp) throws Exception {
        check("svd", 8, 8, tmp);
    }

    @Test
    void prunedVariantsWithFullDensityEqualTheirPlainForm() {
        // density 1 keeps every entry: ties then reduces to a sign-agreeing mean, magnitude_prune and
        // dare_linear to linear / svd exactly.
        try (PeftModel peft = twoAdapters()) {
            List<String> ab = List.of("default", "second");
            List<Double> w = List.of(0.7, 0.3);
            peft.addWeightedAdapter(ab, w, "lin", "linear");
            peft.addWeightedAdapter(ab, w, "mp", WeightedAdapterOptions.builder().combinationType("magnitude_prune")
                    .density(1.0).build());
            peft.addWeightedAdapter(ab, w, "dare", WeightedAdapterOptions.builder().combinationType("dare_linear_svd")
                    .density(1.0).svdRank(8).build());
            peft.addWeightedAdapter(ab, w, "svd", WeightedAdapterOptions.builder().svdRank(8).build());
            for (LoraLinear l : peft.loraLayers().values()) {
                Goldens.assertAllClose("magnitude_prune", l.getDeltaWeight("lin").toFloatArray(),
                        l.getDeltaWeight("mp").toFloatArray(), 1e-6);
                Goldens.assertAllClose("dare_linear_svd", l.getDeltaWeight("svd").toFloatArray(),
                        l.getDeltaWeight("dare").toFloatArray(), 1e-5);
            }
        }
    }

    @Test
    void invalidCallsAreRejectedAsInPeft() {
        try (PeftModel peft = twoAdapters()) {
            List<String> ab = List.of("default", "second");
            assertThrows(IllegalArgumentException.class, () -> peft.addWeightedAdapter(List.of("default", "nope"),
                    List.of(0.5, 0.5), "x", "linear"));
            assertThrows(IllegalArgumentException.class, () -> peft.addWeightedAdapter(ab, List.of(0.5, 0.5), "x", "mean"));
            assertThrows(IllegalArgumentException.class, () -> peft.addWeightedAdapter(ab, List.of(0.5, 0.5), "x", "ties"));
            // An existing name is a no-op in peft.
            peft.addWeightedAdapter(ab, List.of(0.5, 0.5), "second", "linear");
            assertEquals(2, peft.peftConfig().size());
        }
    }
}
