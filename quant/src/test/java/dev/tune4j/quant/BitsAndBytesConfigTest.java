package dev.tune4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.DType;
import dev.tune4j.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitsAndBytesConfigTest {

    /** The quantization_config block of the transformers-written config.json, as text, de-indented one level. */
    private static String goldenBlock(String configText) {
        int start = configText.indexOf("\"quantization_config\": {");
        int end = configText.indexOf("\n  }", start);
        String block = configText.substring(start + "\"quantization_config\": ".length(), end + "\n  }".length());
        return block.replace("\n  ", "\n");
    }

    @Test
    void writesTheQuantizationConfigTransformersWrote() throws Exception {
        Path file = SharedData.require("golden/bnb4/llama_tiny_bnb4/config.json");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        BitsAndBytesConfig cfg = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
                .bnb4bitComputeDtype(DType.F32).bnb4bitUseDoubleQuant(true).build();
        assertEquals(goldenBlock(text), cfg.toJson());

        JsonNode node = new ObjectMapper().readTree(text).get("quantization_config");
        BitsAndBytesConfig parsed = BitsAndBytesConfig.fromJson(node);
        assertEquals(cfg, parsed);
        assertEquals(goldenBlock(text), parsed.toJson());
        assertTrue(parsed.loadIn4bit());
        assertFalse(parsed.loadIn8bit());
        assertEquals("nf4", parsed.bnb4bitQuantType());
        assertTrue(parsed.bnb4bitUseDoubleQuant());
        assertEquals(DType.U8, parsed.bnb4bitQuantStorage());
        assertEquals(64, parsed.blocksize());
        assertEquals(node, new ObjectMapper().readTree(parsed.toJson()));
    }

    @Test
    void defaultsAreTransformers() {
        BitsAndBytesConfig cfg = BitsAndBytesConfig.builder().loadIn4bit(true).build();
        assertEquals("fp4", cfg.bnb4bitQuantType());
        assertEquals(DType.F32, cfg.bnb4bitComputeDtype());
        assertFalse(cfg.bnb4bitUseDoubleQuant());
        assertEquals(6.0, cfg.llmInt8Threshold());
        assertTrue(cfg.llmInt8SkipModules().isEmpty());
    }

    @Test
    void roundTripsOtherValues() {
        BitsAndBytesConfig cfg = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitComputeDtype(DType.BF16)
                .bnb4bitQuantStorage(DType.BF16).llmInt8SkipModules("lm_head", "mlp.gate").build();
        String json = cfg.toJson();
        assertTrue(json.contains("\"bnb_4bit_compute_dtype\": \"bfloat16\""), json);
        assertTrue(json.contains("\"llm_int8_skip_modules\": [\n    \"lm_head\",\n    \"mlp.gate\"\n  ],"), json);
        BitsAndBytesConfig back = BitsAndBytesConfig.fromJson(json);
        assertEquals(cfg, back);
        assertEquals(List.of("lm_head", "mlp.gate"), back.llmInt8SkipModules().orElseThrow());
    }

    @Test
    void rejectsEightBitAndBadValues() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> BitsAndBytesConfig.builder().loadIn8bit(true).build());
        assertTrue(e.getMessage().contains("LLM.int8 is not supported yet"), e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> BitsAndBytesConfig.fromJson("{\"load_in_8bit\": true, \"quant_method\": \"bitsandbytes\"}"));
        assertThrows(IllegalArgumentException.class,
                () -> BitsAndBytesConfig.builder().loadIn4bit(true).loadIn8bit(true).build());
        assertThrows(IllegalArgumentException.class,
                () -> BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("int4").build());
        assertThrows(IllegalArgumentException.class,
                () -> BitsAndBytesConfig.builder().loadIn4bit(true).blocksize(100).build());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> BitsAndBytesConfig.fromJson("{\"load_in_4bit\": \"yes\"}"));
        assertTrue(bad.getMessage().contains("load_in_4bit"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BitsAndBytesConfig.fromJson("{\"quant_method\": \"gptq\", \"load_in_4bit\": true}"));
    }
}
