package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.backend.onnx.MultiLoraCausalLM;
import dev.tune4j.backend.onnx.OnnxAdapterFile;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * peft adapters served at run time by ONE compiled ONNX Runtime model (CPU execution provider):
 * each golden adapter (peft 0.13.2 logits) switched in and out with setAdapter, the base model
 * with none, greedy generation equal to PeftModel on the cpu backend, and the conversion's
 * refusals.
 */
class OnnxAdaptersTest {
    private static final List<String> PEFT_TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    private static Goldens golden;
    private static MultiLoraCausalLM model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        golden = new Goldens();
        CausalLM compiled = AutoModelForCausalLM.fromPretrained(golden.llama,
                LoadOptions.builder().backend("onnxruntime").device("cpu").loraTargetModules(PEFT_TARGETS).build());
        model = MultiLoraCausalLM.of(compiled);
        OnnxAdapters.loadPeftAdapter(model, golden.peft.resolve("adapter"), "default");
        OnnxAdapters.loadPeftAdapter(model, golden.peft.resolve("adapter2"), "second");
        OnnxAdapters.loadPeftAdapter(model, golden.peft.resolve("rslora_adapter"), "rslora");
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void oneSessionServesEveryGoldenAdapterAndTheBaseModel() {
        MultiLoraCausalLM same = model;
        assertEquals(Set.of("default", "second", "rslora"), model.adapters());
        assertEquals(14, model.loraModules().size());
        for (String[] run : new String[][] {{"default", "lora_logits"}, {"second", "adapter2_logits"},
                {"rslora", "rslora_logits"}, {null, null}, {"default", "lora_logits"}}) {
            if (run[0] == null) {
                model.disableAdapter();
                assertEquals(Optional.empty(), model.activeAdapter());
                Goldens.assertClose("base logits_1", golden.expected("logits_1"), golden.logits(model, 1), null, Goldens.ATOL);
                Goldens.assertClose("base logits_3", golden.expected("logits_3"), golden.logits(model, 3), golden.mask3,
                        Goldens.ATOL);
            } else {
                model.setAdapter(run[0]);
                assertEquals(Optional.of(run[0]), model.activeAdapter());
                golden.assertLogits(run[1], model);
            }
            assertSame(same, model, "no model (and so no session) is re-created between adapters");
        }
        model.disableAdapter();
    }

    @Test
    void greedyGenerationAndDecodeStepsEqualPeftModelOnTheCpuBackend() throws IOException {
        JsonNode gen = new ObjectMapper().readTree(golden.llama.resolve("expected.json").toFile()).get("generation");
        int[][] prompt = rows(gen.get("prompt_3"));
        int[][] mask = rows(gen.get("attention_mask_3"));
        try (PeftModel cpu = PeftModel.fromPretrained(golden.base(), golden.peft.resolve("adapter"))) {
            GenerationConfig cfg = cpu.generationConfig().toBuilder().maxNewTokens(8).doSample(false)
                    .padTokenId(gen.get("pad_token_id").asInt()).build();
            int[][] want = cpu.generate(prompt, mask, cfg);
            model.setAdapter("default");
            try {
                assertArrayEquals(want, model.generate(prompt, mask, cfg), "left-padded batch, adapter active");
                int[][] single = rows(gen.get("prompt_1"));
                assertArrayEquals(cpu.generate(single, null, cfg), model.generate(single, null, cfg), "single prompt");
                // The same decoder steps, logits compared one by one; then a decoder pinned to the adapter
                // keeps it after the active adapter changes.
                try (IncrementalDecoder ort = model.newDecoder(2, 2); IncrementalDecoder ref = cpu.newDecoder(2, 2)) {
                    model.disableAdapter();
                    int[][] pos = new int[2][prompt[0].length];
                    for (int b = 0; b < 2; b++) {
                        int p = 0;
                        for (int t = 0; t < pos[b].length; t++) {
                            pos[b][t] = mask[b][t] == 1 ? p++ : 1;
                        }
                    }
                    float[][] a = ort.step(prompt, pos, mask);
                    float[][] e = ref.step(prompt, pos, mask);
                    int[][] full = mask;
                    for (int step = 0; step < 4; step++) {
                        for (int b = 0; b < 2; b++) {
                            Goldens.assertAllClose("step " + step + " row " + b, e[b], a[b], Goldens.ATOL);
                        }
                        int col = prompt[0].length + step;
                        int[][] next = {{want[0][col]}, {want[1][col]}};
                        int[][] nextPos = {{pos[0][pos[0].length - 1] + step + 1}, {pos[1][pos[1].length - 1] + step + 1}};
                        int[][] grown = new int[2][col + 1];
                        for (int b = 0; b < 2; b++) {
                            System.arraycopy(full[b], 0, grown[b], 0, col);
                            grown[b][col] = 1;
                        }
                        full = grown;
                        a = ort.step(next, nextPos, full);
                        e = ref.step(next, nextPos, full);
                    }
                }
                try (PeftModel cpuBase = PeftModel.fromPretrained(golden.base(), golden.peft.resolve("adapter"))) {
                    try (var off = cpuBase.disableAdapter()) {
                        assertArrayEquals(cpuBase.generate(prompt, mask, cfg), model.generate(prompt, mask, cfg),
                                "no adapter active: the base model's generation");
                    }
                }
                assertArrayEquals(want, model.generate(prompt, mask, cfg, "default"), "adapter chosen per call");
            } finally {
                model.disableAdapter();
            }
        }
    }

    @Test
    void conversionFoldsPeftScalingIntoB() {
        // peft's recorded delta weights (scaling * B @ A, scaling 2.0) against B' @ A of the conversion.
        OnnxAdapterFile converted = OnnxAdapters.fromPeft(golden.peft.resolve("adapter"));
        assertEquals(28, converted.parameters().size());
        for (String module : model.loraModules()) {
            Tensor a = converted.parameters().get(module + ".lora_A.weight");
            Tensor b = converted.parameters().get(module + ".lora_B.weight");
            int out = b.dim(0);
            int r = a.dim(0);
            int in = a.dim(1);
            float[] av = a.toFloatArray();
            float[] bv = b.toFloatArray();
            float[] delta = new float[out * in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double sum = 0;
                    for (int k = 0; k < r; k++) {
                        sum += (double) bv[o * r + k] * av[k * in + i];
                    }
                    delta[o * in + i] = (float) sum;
                }
            }
            Goldens.assertAllClose(module, golden.expected("lora_delta/" + module + ".weight").toFloatArray(), delta, 1e-5);
        }
    }

    @Test
    void convertedFileLoadsIntoOnnxRuntime() {
        Path file = tmp.resolve("second" + OnnxAdapterFile.EXTENSION);
        OnnxAdapters.convert(golden.peft.resolve("adapter2"), file);
        OnnxAdapterFile read = OnnxAdapterFile.read(file);
        assertEquals(28, read.parameters().size());
        assertArrayEquals(new int[] {8, 64}, read.parameters().get("model.layers.0.self_attn.q_proj.lora_A.weight").shape());
        assertArrayEquals(new int[] {64, 8}, read.parameters().get("model.layers.1.mlp.down_proj.lora_B.weight").shape());
        model.loadAdapter(file, "second_from_file");
        IncrementalDecoder pinned = model.newDecoder(1, 4, "second_from_file");
        try {
            Goldens.assertClose("adapter2 via file", golden.expected("adapter2_logits_3"),
                    model.forward(new ForwardArgs(golden.ids3, golden.mask3, golden.pos3, null, false), "second_from_file")
                            .logits(), golden.mask3, Goldens.ATOL);
            var dup = assertThrows(IllegalArgumentException.class, () -> model.loadAdapter(file, "second_from_file"));
            assertTrue(dup.getMessage().contains("already loaded"), dup.getMessage());
        } finally {
            model.deleteAdapter("second_from_file");
        }
        var deleted = assertThrows(IllegalStateException.class,
                () -> pinned.step(golden.ids1, new int[][] {{0, 1, 2, 3, 4, 5, 6}}, null));
        assertTrue(deleted.getMessage().contains("'second_from_file' was deleted"), deleted.getMessage());
        var gone = assertThrows(IllegalArgumentException.class, () -> model.newDecoder(1, 4, "second_from_file"));
        assertTrue(gone.getMessage().contains("second_from_file not found"), gone.getMessage());
        var folder = assertThrows(IllegalArgumentException.class,
                () -> model.loadAdapter(golden.peft.resolve("adapter2"), "x"));
        assertTrue(folder.getMessage().contains("OnnxAdapters.loadPeftAdapter"), folder.getMessage());
    }

    @Test
    void unsupportedAdaptersAndMissingSlotsAreRefused() throws IOException {
        var dora = assertThrows(IllegalArgumentException.class,
                () -> OnnxAdapters.loadPeftAdapter(model, golden.peft.resolve("dora_adapter"), "dora"));
        assertTrue(dora.getMessage().contains("use_dora=true"), dora.getMessage());

        Path withBias = tmp.resolve("bias");
        Files.createDirectories(withBias);
        Files.copy(golden.peft.resolve("adapter/adapter_model.safetensors"), withBias.resolve("adapter_model.safetensors"));
        Files.writeString(withBias.resolve("adapter_config.json"), Files.readString(golden.peft.resolve(
                "adapter/adapter_config.json")).replace("\"bias\": \"none\"", "\"bias\": \"all\""));
        var bias = assertThrows(IllegalArgumentException.class, () -> OnnxAdapters.fromPeft(withBias));
        assertTrue(bias.getMessage().contains("bias=\"all\""), bias.getMessage());

        Path ia3 = tmp.resolve("ia3");
        Files.createDirectories(ia3);
        Files.writeString(ia3.resolve("adapter_config.json"), "{\"peft_type\": \"IA3\", \"target_modules\": [\"k_proj\"]}");
        var type = assertThrows(IllegalArgumentException.class, () -> OnnxAdapters.fromPeft(ia3));
        assertTrue(type.getMessage().contains("peft_type is \"IA3\""), type.getMessage());

        var prefix = assertThrows(IllegalArgumentException.class, () -> OnnxAdapters.fromPeft(tmp));
        assertTrue(prefix.getMessage().contains("adapter_config.json"), prefix.getMessage());

        try (MultiLoraCausalLM qv = MultiLoraCausalLM.of(AutoModelForCausalLM.fromPretrained(golden.llama,
                LoadOptions.builder().backend("onnxruntime").loraTargetModules("q_proj", "v_proj").build()))) {
            assertEquals(4, qv.loraModules().size());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> OnnxAdapters.loadPeftAdapter(qv, golden.peft.resolve("adapter"), "default"));
            assertTrue(e.getMessage().contains("20 parameters have no LoRA slot")
                    && e.getMessage().contains("[down_proj, gate_proj, k_proj, o_proj, up_proj]"), e.getMessage());
            assertTrue(qv.adapters().isEmpty());
        }
        assertEquals(Set.of("default", "second", "rslora"), model.adapters(), "the shared model is untouched");
    }

    @Test
    void rankAndAlphaPatternsGiveEachSlotItsOwnRankAndScaling() {
        // Ranks differ per module inside one adapter (the slots' rank axes are independent), and
        // alpha_pattern changes the scaling folded into B: the ORT run must equal PeftModel's.
        LoraConfig config = LoraConfig.builder().r(8).loraAlpha(16).targetModules(PEFT_TARGETS)
                .rankPattern(java.util.Map.of("q_proj", 4, "down_proj", 2))
                .alphaPattern(java.util.Map.of("v_proj", 5, "down_proj", 3)).useRslora(true)
                .initLoraWeights(false).build();
        Path dir = tmp.resolve("patterns");
        Tensor want;
        try (PeftModel peft = PeftModel.getPeftModel(golden.base(), config)) {
            want = golden.logits(peft, 3);
            peft.savePretrained(dir);
        }
        OnnxAdapterFile converted = OnnxAdapters.fromPeft(dir);
        assertArrayEquals(new int[] {4, 64}, converted.parameters().get("model.layers.0.self_attn.q_proj.lora_A.weight").shape());
        assertArrayEquals(new int[] {2, 176}, converted.parameters().get("model.layers.1.mlp.down_proj.lora_A.weight").shape());
        model.loadAdapter(converted, "patterns");
        try {
            model.setAdapter("patterns");
            Goldens.assertClose("rank/alpha patterns", want, golden.logits(model, 3), golden.mask3, Goldens.ATOL);
        } finally {
            model.deleteAdapter("patterns");
        }
    }

    @Test
    void gpt2Conv1DAdapterMatchesPeftModelOnTheCpuBackend() {
        Path gpt2 = SharedData.require("golden/gpt2_tiny");
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).useRslora(true)
                .targetModules("c_attn", "c_fc").initLoraWeights(false).build();
        int[][] ids = {{5, 17, 300, 42, 9, 77, 123, 500, 64}};
        Tensor want;
        try (PeftModel peft = PeftModel.getPeftModel(AutoModelForCausalLM.fromPretrained(gpt2), config)) {
            want = peft.forward(ForwardArgs.of(ids)).logits();
            peft.savePretrained(tmp);
        }
        try (MultiLoraCausalLM ort = MultiLoraCausalLM.of(AutoModelForCausalLM.fromPretrained(gpt2,
                LoadOptions.builder().backend("onnxruntime").loraTargetModules("all-linear").build()))) {
            // Slots on all 8 Conv1D layers; the adapter fills 4 (c_attn, c_fc), the c_proj ones keep their rank-0 default.
            assertEquals(8, ort.loraModules().size(), ort.loraModules().toString());
            OnnxAdapters.loadPeftAdapter(ort, tmp, "gpt2");
            Tensor base = ort.forward(ForwardArgs.of(ids)).logits();
            ort.setAdapter("gpt2");
            Tensor got = ort.forward(ForwardArgs.of(ids)).logits();
            Goldens.assertClose("gpt2 Conv1D adapter", want, got, null, Goldens.ATOL);
            float[] w = want.toFloatArray();
            float[] b = base.toFloatArray();
            double moved = 0;
            for (int i = 0; i < w.length; i++) {
                moved = Math.max(moved, Math.abs(w[i] - b[i]));
            }
            assertTrue(moved > 1e-2, "the adapter changes the output: " + moved);
        }
    }

    private static int[][] rows(JsonNode n) {
        if (!n.get(0).isArray()) {
            int[] row = new int[n.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = n.get(i).asInt();
            }
            return new int[][] {row};
        }
        int[][] out = new int[n.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = rows(n.get(r))[0];
        }
        return out;
    }
}
