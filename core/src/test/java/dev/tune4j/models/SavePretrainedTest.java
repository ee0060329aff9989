package dev.tune4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SavePretrainedTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void savedFolderIsByteIdenticalToWhatTransformersWrote(String name) throws Exception {
        Path src = SharedData.require("golden/" + name);
        Path out = tmp.resolve(name);
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(src)) {
            model.savePretrained(out);
        }
        for (String f : new String[] {"config.json", "generation_config.json", "model.safetensors"}) {
            assertArrayEquals(Files.readAllBytes(src.resolve(f)), Files.readAllBytes(out.resolve(f)), name + "/" + f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "gpt2_tiny"})
    void shardedSaveLoadsBackBitIdentical(String name) throws Exception {
        Path src = SharedData.require("golden/" + name);
        Path out = tmp.resolve(name + "-sharded");
        try (var model = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(src)) {
            model.savePretrained(out, 100_000);   // forces several shards for these ~0.5 MB models
            Map<String, Tensor> before = model.stateDict();
            var index = new ObjectMapper().readTree(out.resolve("model.safetensors.index.json").toFile());
            long total = 0;
            for (Tensor t : before.values()) {
                total += t.numel() * t.dtype().byteSize();
            }
            assertEquals(total, index.get("metadata").get("total_size").asLong());
            var mapped = new java.util.TreeSet<String>();
            index.get("weight_map").fieldNames().forEachRemaining(mapped::add);
            assertEquals(new java.util.TreeSet<>(before.keySet()), mapped);
            assertFalse(Files.exists(out.resolve("model.safetensors")));
            try (var back = (PreTrainedCausalLM) AutoModelForCausalLM.fromPretrained(out)) {
                Map<String, Tensor> after = back.stateDict();
                assertEquals(before.keySet(), after.keySet());
                for (var e : before.entrySet()) {
                    Tensor a = after.get(e.getKey());
                    assertEquals(e.getValue().dtype(), a.dtype(), e.getKey());
                    assertArrayEquals(e.getValue().toFloatArray(), a.toFloatArray(), e.getKey());
                    String shard = index.get("weight_map").get(e.getKey()).asText();
                    assertTrue(shard.matches("model-0000[1-9]-of-0000[2-9]\\.safetensors"), shard);
                }
            }
        }
    }
}
