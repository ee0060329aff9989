package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.nn.Conv1D;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA on GPT-2's Conv1D ([in, out] weights, fan_in_fan_out): merging is the same function. */
class Gpt2Conv1DTest {
    private final Path gpt2 = SharedData.require("golden/gpt2_tiny");
    private final int[][] ids = {{5, 17, 300, 42, 9, 77, 123, 500, 64}};

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
    void mergedEqualsUnmergedForConv1D(@TempDir Path tmp) {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).targetModules("c_attn", "c_proj", "c_fc")
                .initLoraWeights(false).build();
        CausalLM base = AutoModelForCausalLM.fromPretrained(gpt2);
        Tensor baseLogits = base.forward(ForwardArgs.of(ids)).logits();
        PeftModel peft = PeftModel.getPeftModel(base, config);
        assertTrue(peft.peftConfig().get("default").fanInFanOut(), "peft sets fan_in_fan_out for Conv1D targets");
        assertEquals(8, peft.loraLayers().size()); // 2 blocks x (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj)
        LoraLinear attn = peft.loraLayers().get("transformer.h.0.attn.c_attn");
        assertTrue(attn.fanInFanOut());
        assertArrayEquals(new int[] {64, 192}, attn.getDeltaWeight("default").shape(), "delta in the [in, out] layout");
        Tensor unmerged = peft.forward(ForwardArgs.of(ids)).logits();
        assertTrue(maxDiff(unmerged, baseLogits) > 1e-2, "the adapter changes the output");
        peft.savePretrained(tmp);
        CausalLM merged = peft.mergeAndUnload();
        assertTrue(merged.module().findModule("transformer.h.0.attn.c_attn").orElseThrow() instanceof Conv1D);
        Tensor mergedLogits = merged.forward(ForwardArgs.of(ids)).logits();
        double d = maxDiff(unmerged, mergedLogits);
        assertTrue(d <= 1e-5, "merged vs unmerged max |diff| " + d);
        merged.close();
        // The saved adapter reproduces the unmerged output on a fresh base.
        try (PeftModel back = PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(gpt2), tmp)) {
            assertArrayEquals(unmerged.toFloatArray(), back.forward(ForwardArgs.of(ids)).logits().toFloatArray());
            assertTrue(back.peftConfig().get("default").toJsonString().contains("\"fan_in_fan_out\": true"));
        }
    }

    @Test
    void doraOnConv1DMergesToTheSameFunction() {
        CausalLM base = AutoModelForCausalLM.fromPretrained(gpt2);
        PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().r(4).loraAlpha(8).useDora(true)
                .targetModules("c_attn", "c_fc").initLoraWeights(false).build());
        // A magnitude away from ||W + s B A|| (its value at init) makes g != 1.
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (LoraLinear l : peft.loraLayers().values()) {
            var m = l.magnitudeVector("default");
            float[] v = m.value().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) (1 + 0.2 * (rng.nextDouble() - 0.5));
            }
            m.set(Tensor.of(v, m.value().shape()));
        }
        Tensor unmerged = peft.forward(ForwardArgs.of(ids)).logits();
        try (CausalLM merged = peft.mergeAndUnload()) {
            double d = maxDiff(unmerged, merged.forward(ForwardArgs.of(ids)).logits());
            // Two float32 paths (g * (W + sBA) folded vs W x plus the DoRA terms): the golden README's 1e-4.
            assertTrue(d <= 1e-4, "DoRA merged vs unmerged max |diff| " + d);
        }
    }

    @Test
    void perRowAdaptersWorkOnConv1D() {
        CausalLM base = AutoModelForCausalLM.fromPretrained(gpt2);
        try (PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().initLoraWeights(false).build(),
                "a", 1)) {
            peft.addAdapter("b", LoraConfig.builder().r(2).initLoraWeights(false).build());
            int[][] two = {ids[0], ids[0]};
            Tensor mixed = peft.forward(ForwardArgs.of(two), List.of("a", "b")).logits();
            Tensor a = peft.forward(ForwardArgs.of(ids)).logits();
            peft.setAdapter("b");
            Tensor b = peft.forward(ForwardArgs.of(ids)).logits();
            int n = a.toFloatArray().length;
            float[] m = mixed.toFloatArray();
            assertTrue(maxDiff(a, Tensor.of(java.util.Arrays.copyOfRange(m, 0, n), a.shape())) <= 1e-5);
            assertTrue(maxDiff(b, Tensor.of(java.util.Arrays.copyOfRange(m, n, 2 * n), b.shape())) <= 1e-5);
        }
    }
}
