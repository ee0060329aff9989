package dev.tune4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * config.json values that would divide by zero or make every output NaN are refused with the
 * library's own exception naming the file, the key and the value found.
 */
class LlamaConfigValidationTest {
    private static final String BASE = """
            {"model_type": "llama", "vocab_size": 32, "hidden_size": 32, "intermediate_size": 64,
             "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-6,
             "rope_theta": 10000.0, "max_position_embeddings": 64%s}""";

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "num_key_value_heads, 0",
        "num_key_value_heads, -2",
        "intermediate_size, 0",
        "head_dim, 0",
        "max_position_embeddings, 0",
        "rope_theta, 0",
        "rope_theta, -10000.0",
        "rms_norm_eps, -1e-6",
    })
    void refusedWithTheKeyAndTheValue(String key, String value) {
        String json = String.format(BASE, ", \"" + key + "\": " + value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutoConfig.fromJson(json, "config.json"));
        String m = e.getMessage();
        assertTrue(m.startsWith("config.json: ") && m.contains(key), m);
        assertTrue(m.contains(value) || m.contains(Double.toString(Double.parseDouble(value))), m);
    }

    @ParameterizedTest(name = "case {index}")
    @CsvSource({"'', 2", "', \"rms_norm_eps\": 0', 2"})
    void validConfigsLoad(String extra, int kvHeads) {
        assertEquals(kvHeads, ((LlamaConfig) AutoConfig.fromJson(String.format(BASE, extra), "config.json")).numKeyValueHeads());
    }
}
