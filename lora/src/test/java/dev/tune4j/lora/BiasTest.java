package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bias="all" / "lora_only" on GPT-2, whose layers all have biases. */
class BiasTest {
    private final Path gpt2 = SharedData.require("golden/gpt2_tiny");
    private final int[][] ids = {{11, 22, 33, 44, 55}};

    @Test
    void biasAllTrainsAndSavesEveryBias(@TempDir Path tmp) {
        CausalLM base = AutoModelForCausalLM.fromPretrained(gpt2);
        PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().targetModules("c_attn").bias("all")
                .initLoraWeights(false).build());
        Map<String, Parameter> params = peft.namedParameters();
        params.forEach((n, p) -> assertEquals(n.contains("lora_") || n.contains("bias"), p.requiresGrad(), n));
        Parameter b = params.get("base_model.model.transformer.h.1.ln_2.bias");
        float[] v = b.value().toFloatArray();
        v[3] += 0.5f;
        b.set(Tensor.of(v, b.value().shape()));
        float[] logits = peft.forward(ForwardArgs.of(ids)).logits().toFloatArray();
        peft.savePretrained(tmp);
        try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("adapter_model.safetensors"))) {
            assertTrue(f.keys().contains("base_model.model.transformer.h.0.attn.c_attn.base_layer.bias"), f.keys().toString());
            assertTrue(f.keys().contains("base_model.model.transformer.h.1.ln_2.bias"));
            // 2 x (A, B) + per block ln_1, c_attn, c_proj, ln_2, c_fc, mlp c_proj biases (6 x 2) + ln_f.
            assertEquals(4 + 12 + 1, f.keys().size(), f.keys().toString());
        }
        try (PeftModel back = PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(gpt2), tmp)) {
            assertArrayEquals(logits, back.forward(ForwardArgs.of(ids)).logits().toFloatArray());
        }
    }

    @Test
    void loraOnlyTrainsTheWrappedLayersBiasesAndSavesNoneAsPeft013(@TempDir Path tmp) {
        CausalLM base = AutoModelForCausalLM.fromPretrained(gpt2);
        try (PeftModel peft = PeftModel.getPeftModel(base, LoraConfig.builder().targetModules("c_attn").bias("lora_only")
                .build())) {
            peft.namedParameters().forEach((n, p) -> assertEquals(n.contains("lora_") || n.endsWith("c_attn.base_layer.bias"),
                    p.requiresGrad(), n));
            peft.savePretrained(tmp);
            try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve("adapter_model.safetensors"))) {
                assertEquals(4, f.keys().size(), f.keys().toString());
            }
        }
    }
}
