package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** modules_to_save: a trainable copy of lm_head saved with the adapter under peft's key. */
class ModulesToSaveTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    @Test
    @SuppressWarnings("try") // the scope is the point: adapters are off inside it
    void lmHeadCopyTrainsSavesLoadsAndMerges(@TempDir Path tmp) throws Exception {
        LoraConfig config = LoraConfig.builder().r(8).loraAlpha(16).targetModules("q_proj").modulesToSave("lm_head").build();
        PeftModel peft = PeftModel.getPeftModel(g.base(), config);
        // Trainable: LoRA on 2 q_proj (2 x 1,024) + the 512 x 64 head copy (32,768) = 34,816.
        // All: the base (158,016) + those = 192,832; 100 * 34816 / 192832 = 18.0551.
        assertEquals("trainable params: 34,816 || all params: 192,832 || trainable%: 18.0551", peft.trainableParametersLine());
        assertTrue(peft.namedParameters().get("base_model.model.lm_head.modules_to_save.default.weight").requiresGrad());
        Goldens.assertClose("untouched copy", g.expected("logits_1"), g.logits(peft, 1), null, Goldens.ATOL);
        // Stand-in for training: the copy's weight moves away from the original.
        ModulesToSaveWrapper w = peft.baseModel().modulesToSaveWrappers().get("lm_head");
        Parameter head = w.copy("default").weight();
        float[] v = head.value().toFloatArray();
        for (int i = 0; i < v.length; i += 3) {
            v[i] += 0.05f;
        }
        head.set(Tensor.of(v, head.value().shape()));
        Tensor tuned = g.logits(peft, 1);
        try (var off = peft.disableAdapter()) {
            Goldens.assertClose("disabled: original head", g.expected("logits_1"), g.logits(peft, 1), null, Goldens.ATOL);
        }
        // Per-row selection reaches the head copy too: "__base__" rows use the original head.
        int[][] two = {g.ids1[0], g.ids1[0]};
        Tensor mixed = peft.forward(dev.tune4j.models.ForwardArgs.of(two), java.util.List.of("__base__", "default")).logits();
        int n = tuned.toFloatArray().length;
        float[] m = mixed.toFloatArray();
        Goldens.assertAllClose("row 0: base", g.expected("logits_1").toFloatArray(),
                java.util.Arrays.copyOfRange(m, 0, n), Goldens.ATOL);
        Goldens.assertAllClose("row 1: adapter", tuned.toFloatArray(), java.util.Arrays.copyOfRange(m, n, 2 * n),
                Goldens.ATOL);
        peft.savePretrained(tmp);
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("adapter_model.safetensors"))) {
            assertTrue(f.keys().contains("base_model.model.lm_head.weight"), f.keys().toString());
            assertEquals(5, f.keys().size());
            assertArrayEquals(v, f.tensor("base_model.model.lm_head.weight").toFloatArray());
        }
        try (PeftModel back = PeftModel.fromPretrained(g.base(), tmp)) {
            assertArrayEquals(tuned.toFloatArray(), g.logits(back, 1).toFloatArray());
        }
        CausalLM merged = peft.mergeAndUnload();
        Linear lm = (Linear) merged.module().findModule("lm_head").orElseThrow();
        assertSame(head, lm.weight(), "the trained copy replaces the head");
        Goldens.assertClose("merged", tuned, g.logits(merged, 1), null, Goldens.ATOL);
        merged.close();
    }
}
