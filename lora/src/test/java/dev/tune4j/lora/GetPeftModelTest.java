package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** get_peft_model: targeting, trainable parameters, initialisation. */
class GetPeftModelTest {
    static Goldens g;
    static final List<String> ALL7 = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    private static String printed(PeftModel peft) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            peft.printTrainableParameters();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    @Test
    void printTrainableParametersIsPeftsLine() throws Exception {
        var expected = new ObjectMapper().readTree(g.peft.resolve("expected.json").toFile());
        LoraConfig c = LoraConfig.builder().r(8).loraAlpha(16).targetModules(ALL7).taskType(TaskType.CAUSAL_LM).build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), c)) {
            assertEquals(expected.get("print_trainable_parameters").textValue(), printed(peft));
            // peft's parameter order: lora_A then lora_B of each module, modules in model order.
            List<String> trainable = new ArrayList<>();
            peft.namedParameters().forEach((n, p) -> {
                if (p.requiresGrad()) {
                    trainable.add(n.replace(".default.", "."));
                }
            });
            List<String> want = new ArrayList<>();
            expected.get("train_step").get("trainable_param_names").forEach(n -> want.add(n.textValue()));
            assertEquals(want, trainable);
        }
        try (PeftModel dora = PeftModel.getPeftModel(g.base(), c.toBuilder().useDora(true).build())) {
            assertEquals(expected.get("dora_print_trainable_parameters").textValue(), printed(dora));
        }
    }

    @Test
    void defaultInitLeavesTheOutputUnchanged() {
        LoraConfig c = LoraConfig.builder().r(8).loraAlpha(16).targetModules(ALL7).build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), c)) {
            LoraLinear q = peft.loraLayers().get("model.layers.0.self_attn.q_proj");
            float[] a = q.loraA("default").value().toFloatArray();
            double bound = 1 / Math.sqrt(64);
            double max = 0;
            for (float v : a) {
                assertTrue(Math.abs(v) <= bound);
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.9 * bound, "kaiming-uniform spans its bound 1/sqrt(in)");
            for (float v : q.loraB("default").value().toFloatArray()) {
                assertEquals(0f, v);
            }
            Goldens.assertClose("base logits_1", g.expected("logits_1"), g.logits(peft, 1), null, Goldens.ATOL);
        }
    }

    @Test
    void gaussianInitHasStdOneOverR() {
        LoraConfig c = LoraConfig.builder().r(4).targetModules("gate_proj").initLoraWeights("gaussian").build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), c)) {
            double ss = 0;
            int n = 0;
            for (LoraLinear l : peft.loraLayers().values()) {
                for (float v : l.loraA("default").value().toFloatArray()) {
                    ss += v * v;
                    n++;
                }
            }
            assertEquals(0.25, Math.sqrt(ss / n), 0.01);
        }
    }

    @Test
    @SuppressWarnings("try") // the scope is the point: adapters are off inside it
    void pissaAndOloraKeepTheModelsFunction() {
        for (String init : List.of("pissa", "olora")) {
            LoraConfig c = LoraConfig.builder().r(4).loraAlpha(8).targetModules("q_proj", "down_proj")
                    .initLoraWeights(init).build();
            try (PeftModel peft = PeftModel.getPeftModel(g.base(), c)) {
                LoraLinear q = peft.loraLayers().get("model.layers.0.self_attn.q_proj");
                float[] b = q.loraB("default").value().toFloatArray();
                assertTrue(maxAbs(b) > 0.01, init + " puts the principal part of W into the adapter");
                // W_res + s B A == W: the adapted model computes what the base did.
                Goldens.assertClose(init + " logits_1", g.expected("logits_1"), g.logits(peft, 1), null, Goldens.ATOL);
                try (var off = peft.disableAdapter()) {
                    float[] diff = g.logits(peft, 1).toFloatArray();
                    float[] base = g.expected("logits_1").toFloatArray();
                    double d = 0;
                    for (int i = 0; i < diff.length; i++) {
                        d = Math.max(d, Math.abs(diff[i] - base[i]));
                    }
                    assertTrue(d > 1e-2, init + ": the residual base alone differs from W");
                }
            }
        }
    }

    @Test
    void baseIsFrozenAndOnlyAdaptersTrain() {
        LoraConfig c = LoraConfig.builder().targetModules("q_proj", "v_proj").build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), c)) {
            peft.namedParameters().forEach((n, p) -> assertEquals(n.contains("lora_"), p.requiresGrad(), n));
            assertEquals(4, peft.loraLayers().size());
            assertTrue(peft.namedParameters().containsKey(
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.default.weight"));
            assertTrue(peft.namedParameters().containsKey(
                    "base_model.model.model.layers.1.self_attn.v_proj.base_layer.weight"));
        }
    }

    @Test
    void defaultTargetsAreTheArchitecturesAndAllLinearSkipsTheHead() {
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), LoraConfig.builder().build())) {
            assertEquals(List.of("q_proj", "v_proj"), peft.peftConfig().get("default").targetModules());
            assertEquals(4, peft.loraLayers().size());
        }
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), LoraConfig.builder().allLinear().build())) {
            assertEquals(14, peft.loraLayers().size());
            assertFalse(peft.loraLayers().containsKey("lm_head"));
            assertEquals(Set7.of(ALL7), Set7.of(peft.peftConfig().get("default").targetModules()));
        }
    }

    @Test
    void regexLayersRankAndAlphaPatterns() {
        LoraConfig regex = LoraConfig.builder().targetModulesRegex("model\\.layers\\.1\\..*_proj").build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), regex)) {
            assertEquals(7, peft.loraLayers().size());
            assertTrue(peft.loraLayers().keySet().stream().allMatch(k -> k.startsWith("model.layers.1.")));
        }
        LoraConfig layers = LoraConfig.builder().targetModules("q_proj", "up_proj").layersToTransform(0)
                .layersPattern("layers").rankPattern(Map.of("up_proj", 2)).alphaPattern(Map.of("q_proj", 32))
                .excludeModules("model.layers.0.mlp.gate_proj").build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), layers)) {
            assertEquals(List.of("model.layers.0.self_attn.q_proj", "model.layers.0.mlp.up_proj"),
                    new ArrayList<>(peft.loraLayers().keySet()));
            LoraLinear up = peft.loraLayers().get("model.layers.0.mlp.up_proj");
            assertEquals(2, up.r("default"));
            assertEquals(4.0, up.scaling("default"));
            LoraLinear q = peft.loraLayers().get("model.layers.0.self_attn.q_proj");
            assertEquals(8, q.r("default"));
            assertEquals(4.0, q.scaling("default"));
        }
        LoraConfig excluded = LoraConfig.builder().targetModules("q_proj").excludeModulesRegex(".*layers\\.0\\..*").build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), excluded)) {
            assertEquals(List.of("model.layers.1.self_attn.q_proj"), new ArrayList<>(peft.loraLayers().keySet()));
        }
    }

    @Test
    void longTargetListsShrinkToSuffixesAsInPeft() {
        assertEquals(List.of("a.0.q", "1.q"), LoraModel.findMinimalTargetModules(List.of("a.1.q", "a.0.q"),
                List.of("b.0.q", "b.1.x")));
        List<String> targets = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            targets.add("enc.layers." + i + ".attn.q");
            targets.add("enc.layers." + i + ".attn.v");
            others.add("enc.layers." + i + ".attn.k");
            others.add("enc.layers." + i + ".attn");
        }
        assertEquals(List.of("q", "v"), LoraModel.findMinimalTargetModules(targets, others));

        // 20 or more names: peft stores the short form; the targeted modules stay the same.
        List<String> full = new ArrayList<>();
        for (int layer = 0; layer < 3; layer++) {
            for (String m : ALL7) {
                full.add("model.layers." + layer + (m.endsWith("_proj") && m.length() == 6 ? ".self_attn." : ".mlp.") + m);
            }
        }
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), LoraConfig.builder().targetModules(full).build())) {
            assertEquals(14, peft.loraLayers().size());
            assertEquals(new java.util.TreeSet<>(ALL7), new java.util.TreeSet<>(peft.peftConfig().get("default").targetModules()));
        }
    }

    @Test
    void targetsMatchingNothingAreAClearError() {
        CausalLM base = g.base();
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.getPeftModel(base,
                LoraConfig.builder().targetModules("query", "value").build()));
        assertTrue(e.getMessage().contains("[query, value]") && e.getMessage().contains("model.layers.0.self_attn.q_proj"),
                e.getMessage());
        var norm = assertThrows(IllegalArgumentException.class, () -> PeftModel.getPeftModel(base,
                LoraConfig.builder().targetModules("input_layernorm").build()));
        assertTrue(norm.getMessage().contains("model.layers.0.input_layernorm") && norm.getMessage().contains("RmsNorm"),
                norm.getMessage());
        // A failed call leaves the model as it was.
        assertTrue(base.module().findModule("model.layers.0.self_attn.q_proj").orElseThrow() instanceof Linear);
        base.close();
    }

    @Test
    void unloadGivesBackTheOriginalLayers() {
        CausalLM base = g.base();
        Map<String, Parameter> before = base.module().namedParameters();
        PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().initLoraWeights(false).build());
        CausalLM back = peft.unload();
        assertEquals(before.keySet(), back.module().namedParameters().keySet());
        before.forEach((k, p) -> assertArrayEquals(p.value().toFloatArray(),
                back.module().namedParameters().get(k).value().toFloatArray(), k));
        back.close();
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Order-free comparison of target lists. */
    private static final class Set7 {
        static java.util.Set<String> of(List<String> l) {
            return new java.util.TreeSet<>(l);
        }
    }
}
