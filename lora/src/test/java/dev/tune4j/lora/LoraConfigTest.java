package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoraConfig against peft 0.13.2's adapter_config.json files and peft's rules. */
class LoraConfigTest {
    @Test
    void defaultsArePefts() {
        LoraConfig c = LoraConfig.builder().build();
        assertEquals(8, c.r());
        assertEquals(8.0, c.loraAlpha());
        assertEquals(0.0, c.loraDropout());
        assertEquals("none", c.bias());
        assertEquals(InitLoraWeights.DEFAULT, c.initLoraWeights());
        assertEquals("megatron.core", c.megatronCore());
        assertFalse(c.useDora());
        assertFalse(c.useRslora());
        assertEquals(null, c.targetModules());
        assertEquals(1.0, c.scaling(8, 8));
    }

    @Test
    void builtConfigWritesPeftsFileByteForByte() throws Exception {
        Path golden = Goldens.sharedPeft().resolve("adapter/adapter_config.json");
        String want = Files.readString(golden);
        LoraConfig c = LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.0)
                .targetModules("gate_proj", "v_proj", "o_proj", "k_proj", "up_proj", "down_proj", "q_proj")
                .bias("none").taskType(TaskType.CAUSAL_LM).baseModelNameOrPath("llama_tiny").inferenceMode(true).build();
        assertEquals(want, c.toJsonString());
        assertEquals(c, LoraConfig.fromJson(golden));
    }

    @Test
    void everyGoldenConfigRoundTrips() throws Exception {
        Path root = Goldens.sharedPeft();
        for (String d : List.of("adapter", "adapter2", "dora_adapter", "rslora_adapter", "weighted_cat",
                "weighted_linear", "weighted_svd")) {
            Path f = root.resolve(d).resolve("adapter_config.json");
            assertEquals(Files.readString(f), LoraConfig.fromJson(f).toJsonString(), d);
        }
    }

    @Test
    void unknownKeysAreIgnoredAndNewerPeftKeysRead() {
        LoraConfig c = LoraConfig.fromJsonString("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8.5, "
                + "\"peft_version\": \"0.17.0\", \"lora_bias\": false, \"exclude_modules\": [\"lm_head\"], "
                + "\"target_modules\": \".*proj\", \"layers_to_transform\": null, \"runtime_config\": {}}");
        assertEquals(4, c.r());
        assertEquals(8.5, c.loraAlpha());
        assertEquals(".*proj", c.targetModulesRegex().orElseThrow());
        assertEquals(List.of("lm_head"), c.excludeModules());
        assertTrue(c.toJsonString().contains("\"lora_alpha\": 8.5,"));
        assertTrue(c.toJsonString().contains("\"exclude_modules\": [\n    \"lm_head\"\n  ],"));
    }

    @Test
    void newerFeaturesThatChangeTheOutputAreRefused() {
        // At their defaults newer keys are ignored; set, they would change the computation.
        LoraConfig.fromJsonString("{\"peft_type\": \"LORA\", \"lora_bias\": false, \"target_parameters\": null, "
                + "\"trainable_token_indices\": null, \"use_qalora\": false}");
        var e = assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.fromJsonString("{\"peft_type\": \"LORA\", \"lora_bias\": true}"));
        assertTrue(e.getMessage().contains("lora_bias"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.fromJsonString(
                "{\"peft_type\": \"LORA\", \"target_parameters\": [\"experts.gate_up_proj\"]}"));
    }

    @Test
    void otherPeftTypesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.fromJsonString("{\"peft_type\": \"IA3\", \"target_modules\": [\"k_proj\"]}"));
        assertTrue(e.getMessage().contains("IA3") && e.getMessage().contains("LORA"), e.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> LoraConfig.fromJsonString("{\"r\": 8}"));
        assertTrue(missing.getMessage().contains("peft_type"), missing.getMessage());
    }

    @Test
    void badValuesNameTheKey(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("adapter_config.json");
        Files.writeString(f, "{\"peft_type\": \"LORA\", \"r\": \"eight\"}");
        var e = assertThrows(IllegalArgumentException.class, () -> LoraConfig.fromJson(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'r'")
                && e.getMessage().contains("\"eight\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().r(0).build());
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().bias("some").build());
        assertThrows(IllegalArgumentException.class,
                () -> LoraConfig.builder().targetModulesRegex(".*").layersToTransform(0).build());
        var absent = assertThrows(IllegalArgumentException.class, () -> LoraConfig.fromPretrained(tmp.resolve("nope")));
        assertTrue(absent.getMessage().contains("adapter_config.json"), absent.getMessage());
    }

    @Test
    void scalarAndListFormsRoundTrip() {
        LoraConfig c = LoraConfig.builder().targetModules("q_proj").layersToTransform(1).layersPattern("layers")
                .rankPattern(Map.of("q_proj", 4)).alphaPattern(Map.of("q_proj", 2.5)).initLoraWeights("gaussian").build();
        LoraConfig back = LoraConfig.fromJsonString(c.toJsonString());
        assertEquals(c.toJsonString(), back.toJsonString());
        assertTrue(c.toJsonString().contains("\"layers_to_transform\": 1,"));
        assertTrue(c.toJsonString().contains("\"layers_pattern\": \"layers\","));
        assertTrue(c.toJsonString().contains("\"init_lora_weights\": \"gaussian\","));
        assertEquals("all-linear", LoraConfig.builder().targetModules("all-linear").build().targetModulesRegex().orElseThrow());
    }
}
