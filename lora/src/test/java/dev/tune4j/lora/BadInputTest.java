package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.io.safetensors.SafetensorsWriter;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapters that do not fit the model fail with messages naming the file, module and shapes. */
class BadInputTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    @Test
    void shapesThatDoNotFitNameTheModuleAndBothShapes(@TempDir Path tmp) throws Exception {
        Path src = g.peft.resolve("adapter");
        Files.copy(src.resolve("adapter_config.json"), tmp.resolve("adapter_config.json"));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("adapter_model.safetensors"))) {
            for (String k : f.keys()) {
                tensors.put(k, Tensor.of(f.tensor(k).toFloatArray(), f.tensor(k).shape()));
            }
        }
        String key = "base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight";
        tensors.put(key, Tensor.zeros(64, 8));
        SafetensorsWriter.write(tmp.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        CausalLM base = g.base();
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(base, tmp));
        String m = e.getMessage();
        assertTrue(m.contains("model.layers.1.self_attn.k_proj") && m.contains("[64, 8]") && m.contains("[32, 8]"), m);
        base.close();
    }

    @Test
    void missingWeightsAndForeignConfigsAreClearErrors(@TempDir Path tmp) throws Exception {
        CausalLM base = g.base();
        Files.copy(g.peft.resolve("adapter/adapter_config.json"), tmp.resolve("adapter_config.json"));
        var missing = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(base, tmp));
        assertTrue(missing.getMessage().contains("adapter_model.safetensors"), missing.getMessage());
        Files.writeString(tmp.resolve("adapter_model.bin"), "pickle");
        var pickle = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(base, tmp));
        assertTrue(pickle.getMessage().contains("adapter_model.bin"), pickle.getMessage());
        Files.writeString(tmp.resolve("adapter_config.json"), "{\"peft_type\": \"PREFIX_TUNING\", \"num_virtual_tokens\": 20}");
        var foreign = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(base, tmp));
        assertTrue(foreign.getMessage().contains("PREFIX_TUNING"), foreign.getMessage());
        var nodir = assertThrows(IllegalArgumentException.class,
                () -> PeftModel.fromPretrained(base, tmp.resolve("absent")));
        assertTrue(nodir.getMessage().contains("absent"), nodir.getMessage());
        base.close();
    }

    @Test
    void unsupportedOptionsAreRefusedNotIgnored() {
        CausalLM base = g.base();
        assertThrows(UnsupportedOperationException.class, () -> PeftModel.getPeftModel(base,
                LoraConfig.builder().modulesToSave("embed_tokens").build()));
        assertThrows(UnsupportedOperationException.class, () -> PeftModel.getPeftModel(base,
                LoraConfig.builder().initLoraWeights("loftq").build()));
        base.close();
    }
}
