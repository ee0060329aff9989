package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full fine-tuning through the Trainer on a small model the test builds. */
class TrainerTest {
    @TempDir
    Path tmp;

    static final String TINY = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32, "hidden_size": 32,
             "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "bos_token_id": 1,
             "eos_token_id": 2, "initializer_range": 0.1}""";

    static CausalLM tinyModel() {
        CausalLM m = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(TINY, "tiny"), 17);
        m.module().requiresGrad(true);
        return m;
    }

    /** Sequences following next = (5 * prev + 3) mod 29 + 3, a permutation of the ids 3..31. */
    static Dataset rule(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = 8 + r.nextInt(6);
            List<Integer> ids = new ArrayList<>();
            int t = 3 + r.nextInt(29);
            for (int j = 0; j < len; j++) {
                ids.add(t);
                t = (5 * (t - 3) + 3) % 29 + 3;
            }
            List<Integer> labels = new ArrayList<>(ids);
            labels.set(0, -100);
            rows.add(Map.of("input_ids", ids, "labels", labels));
        }
        return Dataset.fromList(rows);
    }

    private TrainingArguments.Builder args(Path out) {
        return TrainingArguments.builder().outputDir(out).perDeviceTrainBatchSize(8).gradientAccumulationSteps(2)
                .learningRate(1e-2).lrSchedulerType("linear").warmupSteps(2).loggingSteps(1).saveStrategy("no")
                .seed(3).reportTo(List.of()).shuffleTrainData(true);
    }

    @Test
    void fineTuningLearnsAHeldOutRule() {
        Dataset train = rule(96, 1);
        Dataset held = rule(24, 2);
        try (CausalLM model = tinyModel()) {
            var collator = new DataCollatorForSeq2Seq(0);
            Trainer trainer = new Trainer(model, args(tmp).numTrainEpochs(12).build(), train, held, collator);
            double before = trainer.evaluate().get("eval_loss");
            // Untrained, the model is close to uniform over 32 ids: about ln 32 = 3.47.
            assertTrue(before > 2.5, "untrained eval loss " + before);
            TrainOutput out = trainer.train();
            double after = trainer.evaluate().get("eval_loss");
            // The rule is deterministic, so a model that learned it puts most mass on the right id:
            // 0.35 nats means p(correct) > 0.7 on average over held-out sequences it never saw.
            assertTrue(after < 0.35, "held-out loss after training " + after + " (before " + before + ")");
            assertEquals(72, out.globalStep());          // 96 rows / 8 = 12 batches, / 2 = 6 steps, x 12 epochs
        }
    }

    @Test
    void resumingGivesTheSameTrajectoryAsTheUninterruptedRun() throws Exception {
        Dataset train = rule(40, 5);
        Path full = tmp.resolve("full");
        List<Map<String, Object>> history;
        float[] finalWeight;
        try (CausalLM model = tinyModel()) {
            Trainer t = new Trainer(model, args(full).saveStrategy("steps").saveSteps(2).saveTotalLimit(2).maxSteps(6).build(),
                    train, null, new DataCollatorForSeq2Seq(0));
            t.train();
            history = t.state().logHistory;
            finalWeight = model.module().namedParameters().get("model.layers.1.mlp.down_proj.weight").value().toFloatArray();
        }
        // save_total_limit 2 keeps the two newest checkpoints.
        assertEquals(List.of(full.resolve("checkpoint-4"), full.resolve("checkpoint-6")), Trainer.checkpoints(full));
        Path resumed = tmp.resolve("resumed");
        try (CausalLM model = tinyModel()) {
            Trainer t = new Trainer(model, args(resumed).maxSteps(6).build(), train, null, new DataCollatorForSeq2Seq(0));
            t.train(full.resolve("checkpoint-4"));
            List<Map<String, Object>> h = t.state().logHistory;
            for (int i = 0; i < 6; i++) {
                for (String k : List.of("loss", "grad_norm", "learning_rate", "epoch", "step")) {
                    assertEquals(((Number) history.get(i).get(k)).doubleValue(), ((Number) h.get(i).get(k)).doubleValue(),
                            0.0, "step " + (i + 1) + " " + k);
                }
            }
            float[] w = model.module().namedParameters().get("model.layers.1.mlp.down_proj.weight").value().toFloatArray();
            assertArrayEquals(finalWeight, w, 0f);
        }
    }

    @Test
    void incompleteCheckpointsAreNeverResumedFrom() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out.resolve("checkpoint-3"));
        Files.writeString(out.resolve("checkpoint-3/trainer_state.json"), "{\"global_step\": 3}");
        // An interrupted save: the folder exists but the state was never written, or only the temp folder exists.
        Files.createDirectories(out.resolve("checkpoint-9"));
        Files.createDirectories(out.resolve(".checkpoint-12-123"));
        assertEquals(Path.of(out.toString(), "checkpoint-3"), Trainer.latestCheckpoint(out).orElseThrow());
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        try (CausalLM model = tinyModel()) {
            var collator = new DataCollatorForSeq2Seq(0);
            var e1 = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(model, args(tmp).build(), Dataset.fromList(List.of()), null, collator).train());
            assertTrue(e1.getMessage().contains("empty"), e1.getMessage());
            // A checkpoint of another model: its weights do not fit.
            Path other = tmp.resolve("other");
            String bigger = TINY.replace("\"hidden_size\": 32", "\"hidden_size\": 48");
            try (CausalLM m2 = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(bigger, "other"), 1)) {
                m2.module().requiresGrad(true);
                new Trainer(m2, args(other).maxSteps(1).saveStrategy("steps").saveSteps(1).build(), rule(8, 1), null, collator).train();
            }
            var e2 = assertThrows(IllegalArgumentException.class, () ->
                    new Trainer(model, args(tmp.resolve("x")).maxSteps(2).build(), rule(8, 1), null, collator)
                            .train(other.resolve("checkpoint-1")));
            assertTrue(e2.getMessage().contains("shape"), e2.getMessage());
            var e3 = assertThrows(IllegalArgumentException.class, () ->
                    new Trainer(model, args(tmp.resolve("y")).build(), rule(8, 1), null, collator).train(tmp.resolve("nope")));
            assertTrue(e3.getMessage().contains("not a checkpoint"), e3.getMessage());
            assertFalse(Files.exists(tmp.resolve("y").resolve("checkpoint-1")));
        }
    }
}
