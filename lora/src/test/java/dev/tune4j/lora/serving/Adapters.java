package dev.tune4j.lora.serving;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The adapters served in the tests: the golden peft adapters over llama_tiny (the DoRA one aside)
 * and adapters with seeded random A and B (init_lora_weights=False) of other ranks and target sets,
 * written by {@link PeftModel#savePretrained}.
 */
final class Adapters {
    final Path llama = SharedData.require("golden/llama_tiny");
    final Path peft = SharedData.require("golden/peft_lora_llama_tiny");
    final Map<String, Path> dirs = new LinkedHashMap<>();

    Adapters(Path tmp) {
        for (String n : List.of("adapter", "adapter2", "rslora_adapter", "weighted_cat", "weighted_linear", "weighted_svd")) {
            dirs.put(n, peft.resolve(n));
        }
        dirs.put("rand_qv", random(tmp, "rand_qv", 4, 16, 11, "q_proj", "v_proj"));
        dirs.put("rand_mlp", random(tmp, "rand_mlp", 12, 24, 12, "gate_proj", "up_proj", "down_proj", "o_proj"));
    }

    CausalLM base() {
        return AutoModelForCausalLM.fromPretrained(llama);
    }

    Path random(Path tmp, String name, int r, int alpha, long seed, String... targets) {
        Path dir = tmp.resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        LoraConfig c = LoraConfig.builder().r(r).loraAlpha(alpha).targetModules(targets).initLoraWeights(false).build();
        try (PeftModel m = PeftModel.getPeftModel(base(), c, "default", seed)) {
            m.savePretrained(dir);
        }
        if (!Files.isRegularFile(dir.resolve("adapter_config.json"))) {
            throw new UncheckedIOException(new IOException("no adapter written in " + dir));
        }
        return dir;
    }

    /**
     * What {@code name} gives alone through {@code PeftModel.generate} (base model when null): the new
     * tokens after the prompt.
     */
    static int[] alone(CausalLM model, String adapter, int[] prompt, GenerationConfig config) {
        int[][] ids = {prompt};
        int[][] seq = model instanceof PeftModel p && adapter != null
                ? p.generate(ids, null, config, List.of(adapter))
                : model.generate(ids, null, config);
        return Arrays.copyOfRange(seq[0], prompt.length, seq[0].length);
    }
}
