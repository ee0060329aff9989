package dev.tune4j.quant.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** optim="adamw_8bit" through the Trainer: its 8-bit state is checkpointed and resumed exactly. */
class AdamW8bitTrainerTest {
    private static final String TINY = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32, "hidden_size": 32,
             "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "bos_token_id": 1,
             "eos_token_id": 2, "initializer_range": 0.1}""";

    @TempDir
    Path tmp;

    private static CausalLM model() {
        CausalLM m = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(TINY, "tiny"), 17);
        m.module().requiresGrad(true);
        return m;
    }

    private static Dataset data() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            List<Integer> ids = new ArrayList<>();
            for (int j = 0; j < 10; j++) {
                ids.add(3 + (i + 3 * j) % 29);
            }
            rows.add(Map.of("input_ids", ids, "labels", ids));
        }
        return Dataset.fromList(rows);
    }

    private TrainingArguments args(Path out, int maxSteps) {
        return TrainingArguments.builder().outputDir(out).perDeviceTrainBatchSize(4).learningRate(1e-2)
                .lrSchedulerType("constant").loggingSteps(1).saveStrategy("steps").saveSteps(3).seed(3)
                .reportTo(List.of()).maxSteps(maxSteps).optim("adamw_8bit").build();
    }

    @Test
    void resumingFromACheckpointContinuesTheUninterruptedRun() {
        float[] full;
        try (CausalLM m = model()) {
            Trainer t = new Trainer(m, args(tmp.resolve("a"), 6), data(), null, new DataCollatorForSeq2Seq(0));
            t.train();
            AdamW8bit opt = assertInstanceOf(AdamW8bit.class, t.optimizer());
            assertTrue(opt.is8bit("model.layers.0.mlp.up_proj.weight"), "a 128 x 32 weight has 8-bit moments");
            full = m.module().namedParameters().get("model.layers.0.mlp.down_proj.weight").value().data().clone();
        }
        try (CausalLM m = model()) {
            new Trainer(m, args(tmp.resolve("b"), 3), data(), null, new DataCollatorForSeq2Seq(0)).train();
        }
        try (CausalLM m = model()) {
            Trainer t = new Trainer(m, args(tmp.resolve("b"), 6), data(), null, new DataCollatorForSeq2Seq(0));
            t.train(tmp.resolve("b").resolve("checkpoint-3"));
            assertArrayEquals(full, m.module().namedParameters().get("model.layers.0.mlp.down_proj.weight").value().data());
        }
    }
}
