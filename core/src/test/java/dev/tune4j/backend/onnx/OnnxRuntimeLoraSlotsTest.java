package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA slots in the traced graphs and ORT's adapter files, on llama_tiny and peft's golden adapter
 * (peft 0.13.2 logits): with no adapter the slotted model is the base model, a written
 * {@code .onnx_adapter} loads into the real ONNX Runtime and reproduces peft, and bad files fail
 * with messages naming the problem. (The peft folder conversion itself is tested in tune4j-lora.)
 */
class OnnxRuntimeLoraSlotsTest {
    private static Golden base;
    private static Golden peft;
    private static MultiLoraCausalLM model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        base = new Golden("llama_tiny");
        peft = new Golden("peft_lora_llama_tiny");
        model = MultiLoraCausalLM.of(AutoModelForCausalLM.fromPretrained(base.dir, LoadOptions.builder()
                .backend("onnxruntime").loraTargetModules("all-linear").build()));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        if (base != null) {
            base.close();
            peft.close();
        }
    }

    /** peft's golden adapter as ORT tensors: prefix dropped, scaling alpha/r folded into B. */
    private static OnnxAdapterFile goldenAdapter(String folder) throws IOException {
        Path dir = SharedData.require("golden/peft_lora_llama_tiny/" + folder);
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        double r = cfg.get("r").asDouble();
        double scaling = cfg.get("lora_alpha").asDouble() / (cfg.path("use_rslora").asBoolean() ? Math.sqrt(r) : r);
        Map<String, Tensor> params = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("adapter_model.safetensors"))) {
            for (String key : f.keys()) {
                Tensor t = f.tensor(key);
                float[] v = t.toFloatArray();
                if (key.endsWith("lora_B.weight")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (v[i] * scaling);
                    }
                }
                params.put(key.substring("base_model.model.".length()), Tensor.of(v, t.shape()));
            }
        }
        return new OnnxAdapterFile(3, 7, params);
    }

    @Test
    void slotsWithoutAdapterAreTheBaseModel() {
        assertEquals(14, model.loraModules().size(), model.loraModules().toString());
        assertTrue(model.loraModules().contains("model.layers.1.mlp.down_proj"));
        assertTrue(model.activeAdapter().isEmpty());
        for (int i = 1; i <= 2; i++) {
            int[][] ids = base.ints("input_ids_" + i);
            OnnxRuntimeGoldenTest.assertClose(base.tensor("logits_" + i),
                    model.forward(new ForwardArgs(ids, null, null, null, false)).logits(), null, "base logits_" + i);
        }
    }

    @Test
    void writtenAdapterFileRunsInOnnxRuntimeAsPeft() throws IOException {
        OnnxAdapterFile adapter = goldenAdapter("adapter");
        Path file = tmp.resolve("golden" + OnnxAdapterFile.EXTENSION);
        adapter.save(file);
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        OnnxAdapterFile back = OnnxAdapterFile.read(file);
        assertEquals(3, back.adapterVersion());
        assertEquals(7, back.modelVersion());
        assertEquals(adapter.parameters().keySet(), back.parameters().keySet());
        for (String k : adapter.parameters().keySet()) {
            assertTrue(Arrays.equals(adapter.parameters().get(k).toFloatArray(), back.parameters().get(k).toFloatArray()), k);
        }
        model.loadAdapter(file, "from_file");
        try {
            int[][] ids = base.ints("input_ids_3");
            int[][] mask = base.ints("attention_mask_3");
            int[][] pos = base.ints("position_ids_3");
            var out = model.forward(new ForwardArgs(ids, mask, pos, null, false), "from_file");
            OnnxRuntimeGoldenTest.assertClose(peft.tensor("lora_logits_3"), out.logits(), mask, "adapter logits_3");
            // The graph traced for output_hidden_states has the slots too.
            var hidden = model.forward(new ForwardArgs(ids, mask, pos, null, true), "from_file");
            OnnxRuntimeGoldenTest.assertClose(peft.tensor("lora_logits_3"), hidden.logits(), mask,
                    "adapter logits_3 with hidden states");
            assertEquals(base.tensor("hidden_states_3").dim(0), hidden.hiddenStates().dim(0), "number of hidden states");
            assertTrue(model.activeAdapter().isEmpty(), "a per-call adapter does not change the active one");
        } finally {
            model.deleteAdapter("from_file");
        }
        assertThrows(IllegalArgumentException.class, () -> model.setAdapter("from_file"));
    }

    @Test
    void malformedFilesAndForeignNamesGetClearErrors() throws IOException {
        OnnxAdapterFile adapter = goldenAdapter("adapter");
        byte[] good = adapter.toBytes();

        Path truncated = tmp.resolve("truncated.onnx_adapter");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadAdapter(truncated, "t"));
        assertTrue(e.getMessage().startsWith(truncated + ": not a valid .onnx_adapter file"), e.getMessage());

        byte[] wrongId = good.clone();
        wrongId[4] = 'X';
        e = assertThrows(IllegalArgumentException.class, () -> OnnxAdapterFile.fromBytes(wrongId, "w"));
        assertTrue(e.getMessage().contains("file identifier is 'XORT', expected 'TORT'"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> OnnxAdapterFile.fromBytes(new byte[5], "tiny"));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());

        Map<String, Tensor> foreign = new LinkedHashMap<>(adapter.parameters());
        foreign.put("model.layers.0.self_attn.rotary.lora_A.weight", Tensor.zeros(8, 64));
        e = assertThrows(IllegalArgumentException.class, () -> model.loadAdapter(OnnxAdapterFile.of(foreign), "f"));
        assertTrue(e.getMessage().contains("1 parameters have no LoRA slot in this model, e.g. 'model.layers.0.self_attn.rotary.lora_A.weight'"), e.getMessage());

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(adapter.parameters());
        wrongShape.put("model.layers.0.self_attn.q_proj.lora_A.weight", Tensor.zeros(8, 32));
        e = assertThrows(IllegalArgumentException.class, () -> model.loadAdapter(OnnxAdapterFile.of(wrongShape), "s"));
        assertTrue(e.getMessage().contains("has shape [8, 32] but its slot takes [r, 64]"), e.getMessage());

        assertEquals(List.of(), List.copyOf(model.adapters()), "nothing was loaded by the failed calls");
        assertThrows(IllegalArgumentException.class, () -> model.setAdapter("nope"));
    }

    @Test
    void modelWithoutSlotsRefusesAdapters() throws IOException {
        try (CausalLM plain = AutoModelForCausalLM.fromPretrained(base.dir,
                LoadOptions.builder().backend("onnxruntime").build())) {
            MultiLoraCausalLM m = MultiLoraCausalLM.of(plain);
            assertTrue(m.loraModules().isEmpty());
            var e = assertThrows(IllegalStateException.class, () -> m.loadAdapter(goldenAdapter("adapter"), "a"));
            assertTrue(e.getMessage().contains("loraTargetModules"), e.getMessage());
        }
        LoadOptions typo = LoadOptions.builder().backend("onnxruntime").loraTargetModules("qkv_proj").build();
        var e = assertThrows(IllegalArgumentException.class, () -> AutoModelForCausalLM.fromPretrained(base.dir, typo));
        assertTrue(e.getMessage().contains("'qkv_proj' matches no linear layer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.builder().loraTargetModules("q_proj").build());
        // GPT-2's lm_head shares wte's weight: the trace sees the embedding table, not a layer of its own.
        LoadOptions tiedHead = LoadOptions.builder().backend("onnxruntime").loraTargetModules("lm_head").build();
        e = assertThrows(IllegalArgumentException.class,
                () -> AutoModelForCausalLM.fromPretrained(SharedData.require("golden/gpt2_tiny"), tiedHead));
        assertTrue(e.getMessage().contains("[lm_head] got no slot"), e.getMessage());
    }
}
