package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.io.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving adapters writes what peft writes; what tune4j writes loads back to the same model. */
class AdapterFilesTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    @Test
    void resavedPythonAdaptersAreIdenticalToPeftsFiles(@TempDir Path tmp) throws Exception {
        for (String dir : List.of("adapter", "dora_adapter", "rslora_adapter")) {
            Path src = g.peft.resolve(dir);
            Path out = tmp.resolve(dir);
            try (PeftModel peft = PeftModel.fromPretrained(g.base(), src)) {
                peft.savePretrained(out);
            }
            assertEquals(Files.readString(src.resolve("adapter_config.json")),
                    Files.readString(out.resolve("adapter_config.json")), dir + " adapter_config.json");
            try (SafetensorsFile want = SafetensorsFile.open(src.resolve("adapter_model.safetensors"));
                 SafetensorsFile got = SafetensorsFile.open(out.resolve("adapter_model.safetensors"))) {
                assertEquals(want.keys(), got.keys(), dir + " keys");
                for (String k : want.keys()) {
                    TensorInfo wi = want.info(k);
                    TensorInfo gi = got.info(k);
                    assertEquals(wi.dtype(), gi.dtype(), k);
                    assertArrayEquals(wi.shape(), gi.shape(), k);
                    assertArrayEquals(want.tensor(k).toFloatArray(), got.tensor(k).toFloatArray(), k);
                }
                assertEquals(want.metadata(), got.metadata());
            }
            // The whole file is byte-identical: same header, same tensor order and data.
            assertArrayEquals(Files.readAllBytes(src.resolve("adapter_model.safetensors")),
                    Files.readAllBytes(out.resolve("adapter_model.safetensors")), dir + " bytes");
        }
    }

    @Test
    void savedAdapterLoadsBackToTheSameLogits(@TempDir Path tmp) {
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).targetModules("q_proj", "v_proj", "down_proj")
                .initLoraWeights(false).taskType(TaskType.CAUSAL_LM).build();
        try (PeftModel peft = PeftModel.getPeftModel(g.base(), config, "default", 7)) {
            float[] logits = g.logits(peft, 2).toFloatArray();
            peft.savePretrained(tmp);
            try (PeftModel back = PeftModel.fromPretrained(g.base(), tmp)) {
                assertArrayEquals(logits, g.logits(back, 2).toFloatArray());
                assertEquals(config.toBuilder().inferenceMode(true).build(), back.peftConfig().get("default"));
            }
        }
    }

    @Test
    void otherAdaptersGoToSubfolders(@TempDir Path tmp) throws Exception {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            peft.loadAdapter(g.peft.resolve("adapter2"), "second");
            peft.savePretrained(tmp);
        }
        assertTrue(Files.isRegularFile(tmp.resolve("adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("second/adapter_model.safetensors")));
        assertEquals(Files.readString(g.peft.resolve("adapter2/adapter_config.json")),
                Files.readString(tmp.resolve("second/adapter_config.json")));
        assertFalse(new ObjectMapper().readTree(tmp.resolve("adapter_config.json").toFile()).has("exclude_modules"));
    }
}
