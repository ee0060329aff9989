package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Linear;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** merge / unmerge / merge_and_unload against peft's merged checkpoint and deltas. */
class MergeTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    @Test
    void deltaWeightsArePefts() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            for (var e : peft.loraLayers().entrySet()) {
                Tensor want = g.expected("lora_delta/" + e.getKey() + ".weight");
                Tensor got = e.getValue().getDeltaWeight("default");
                assertArrayEquals(want.shape(), got.shape());
                Goldens.assertAllClose(e.getKey(), want.toFloatArray(), got.toFloatArray(), 1e-6);
            }
        }
    }

    @Test
    void mergeAndUnloadGivesPeftsMergedModel(@TempDir Path tmp) {
        PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"));
        try (CausalLM merged = peft.mergeAndUnload()) {
            assertFalse(merged.module().namedParameters().keySet().stream().anyMatch(k -> k.contains("lora_")));
            g.assertLogits("merged_logits", merged);
            // The same values as lora_logits within float error: merging is exact maths.
            g.assertLogits("lora_logits", merged);
            merged.savePretrained(tmp);
        }
        try (SafetensorsFile want = SafetensorsFile.open(g.peft.resolve("merged/model.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(tmp.resolve("model.safetensors"))) {
            assertEquals(want.keys(), got.keys());
            for (String k : want.keys()) {
                Goldens.assertAllClose(k, want.tensor(k).toFloatArray(), got.tensor(k).toFloatArray(), 1e-6);
            }
        }
    }

    @Test
    void mergeAdapterThenUnmergeRestoresTheWeights() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            LoraLinear q = peft.loraLayers().get("model.layers.0.self_attn.q_proj");
            float[] before = ((Linear) q.baseLayer()).weight().value().toFloatArray();
            peft.mergeAdapter();
            assertTrue(q.isMerged());
            g.assertLogits("lora_logits", peft);
            peft.unmergeAdapter();
            assertFalse(q.isMerged());
            Goldens.assertAllClose("q_proj after unmerge", before,
                    ((Linear) q.baseLayer()).weight().value().toFloatArray(), 1e-6);
            g.assertLogits("lora_logits", peft);
        }
    }

    @Test
    void doraMergeGivesPeftsWeightsAndLogits() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("dora_adapter"))) {
            Map<String, LoraLinear> layers = peft.loraLayers();
            peft.mergeAdapter();
            for (var e : layers.entrySet()) {
                Tensor want = g.expected("dora_merged_weight/" + e.getKey() + ".weight");
                Goldens.assertAllClose(e.getKey(), want.toFloatArray(),
                        ((Linear) e.getValue().baseLayer()).weight().value().toFloatArray(), 1e-5);
            }
            g.assertLogits("dora_merged_logits", peft);
            peft.unmergeAdapter();
            g.assertLogits("dora_logits", peft);
            try (CausalLM merged = peft.mergeAndUnload()) {
                g.assertLogits("dora_merged_logits", merged);
            }
        }
    }

    @Test
    void rsloraMergeEqualsUnmerged() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("rslora_adapter"))) {
            try (CausalLM merged = peft.mergeAndUnload()) {
                g.assertLogits("rslora_logits", merged);
            }
        }
    }

    @Test
    void safeMergeRejectsNonFiniteWeights() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            LoraLinear q = peft.loraLayers().get("model.layers.0.self_attn.q_proj");
            float[] b = q.loraB("default").value().toFloatArray();
            b[0] = Float.NaN;
            q.loraB("default").set(Tensor.of(b, q.loraB("default").value().shape()));
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> peft.mergeAdapter(null, true));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            assertFalse(q.isMerged());
        }
    }
}
