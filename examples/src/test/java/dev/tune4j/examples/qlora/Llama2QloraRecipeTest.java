package dev.tune4j.examples.qlora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.examples.support.QuantizedLoading;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2QloraRecipeTest {
    @TempDir
    Path tmp;

    @Test
    void reducedRecipeLowersEvalLossAndWritesAdapterAndMergedModel() {
        Llama2QloraRecipe.Result r = Llama2QloraRecipe.run(new ExampleArgs(null, tmp, 3, List.of("--lr", "2e-3", "--batch", "2")),
                new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(r.evalLossAfter() < r.evalLossBefore() - 0.2, r.evalLossBefore() + " -> " + r.evalLossAfter());
        boolean fourBit = QuantizedLoading.available(Llama2QloraRecipe.bnbConfig());
        assertEquals(fourBit, r.quantized());
        if (fourBit) {
            assertEquals("paged_adamw_8bit", r.optim());
        }
        LoraConfig saved = LoraConfig.fromPretrained(r.adapterDir());
        assertEquals(16, saved.r());
        assertEquals(16.0, saved.loraAlpha());
        assertEquals(0.1, saved.loraDropout());
        assertEquals(Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                Set.copyOf(saved.targetModules()));
        try (CausalLM merged = AutoModelForCausalLM.fromPretrained(r.mergedDir())) {
            assertEquals("LlamaForCausalLM", merged.config().architecture());
        }
    }
}
