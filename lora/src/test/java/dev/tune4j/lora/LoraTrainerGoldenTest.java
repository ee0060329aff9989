package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.train.TrainOutput;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer over a PeftModel replays transformers 4.45.2 + peft 0.13.2's LoRA run
 * (golden/trainer/lora_run): 12 steps of log history, the final adapter, checkpoint rotation and a
 * resume from peft's checkpoint-4.
 */
class LoraTrainerGoldenTest {
    static Path run;
    static Path llama;
    static JsonNode golden;

    @BeforeAll
    static void load() throws Exception {
        run = SharedData.require("golden/trainer/lora_run");
        llama = SharedData.require("golden/llama_tiny");
        golden = new ObjectMapper().readTree(run.resolve("trainer_run.json").toFile());
    }

    private static PeftModel model() {
        return model(LoadOptions.defaults());
    }

    /** llama_tiny loaded with {@code options}, with peft's LoRA at its recorded initial weights. */
    static PeftModel model(LoadOptions options) {
        LoraConfig config = LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.0).targetModules("v_proj", "q_proj")
                .bias("none").taskType(TaskType.CAUSAL_LM).baseModelNameOrPath("llama_tiny").build();
        PeftModel peft = PeftModel.getPeftModel(AutoModelForCausalLM.fromPretrained(llama, options), config);
        // peft's kaiming init came from torch's RNG: start from the recorded initial adapter.
        AdapterFiles.load(peft, "default", run.resolve("adapter_init.safetensors"));
        return peft;
    }

    static Dataset dataset() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode e : golden.get("dataset").get("examples")) {
            rows.add(Map.of("input_ids", ints(e.get("input_ids")), "attention_mask", ints(e.get("attention_mask")),
                    "labels", ints(e.get("labels"))));
        }
        return Dataset.fromList(rows);
    }

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(n -> out.add(n.intValue()));
        return out;
    }

    static TrainingArguments args(Path out) {
        return TrainingArguments.builder().outputDir(out).perDeviceTrainBatchSize(2).gradientAccumulationSteps(2)
                .learningRate(1e-3).lrSchedulerType("linear").warmupSteps(2).numTrainEpochs(2).maxGradNorm(1.0)
                .weightDecay(0.01).loggingSteps(1).saveSteps(4).saveTotalLimit(2).seed(42).reportTo(List.of())
                .shuffleTrainData(false).build();
    }

    static void assertStepLogs(List<Map<String, Object>> got, int fromStep) {
        List<JsonNode> want = new ArrayList<>();
        golden.get("log_history").forEach(want::add);
        for (JsonNode w : want) {
            if (!w.has("loss") || w.get("step").intValue() < fromStep) {
                continue;
            }
            int step = w.get("step").intValue();
            Map<String, Object> g = got.stream().filter(m -> m.containsKey("loss") && ((Number) m.get("step")).intValue() == step)
                    .findFirst().orElseThrow(() -> new AssertionError("no log for step " + step + " in " + got));
            assertEquals(w.get("loss").doubleValue(), ((Number) g.get("loss")).doubleValue(), 1e-4, "loss at step " + step);
            assertEquals(w.get("grad_norm").doubleValue(), ((Number) g.get("grad_norm")).doubleValue(), 1e-5,
                    "grad_norm at step " + step);
            assertEquals(w.get("learning_rate").doubleValue(), ((Number) g.get("learning_rate")).doubleValue(), 1e-15,
                    "learning_rate at step " + step);
            assertEquals(w.get("epoch").doubleValue(), ((Number) g.get("epoch")).doubleValue(), 0.0, "epoch at step " + step);
        }
    }

    static void assertFinalAdapter(PeftModel peft) {
        try (SafetensorsFile want = SafetensorsFile.open(run.resolve("adapter_final.safetensors"))) {
            var params = peft.trainableParameters();
            assertEquals(new java.util.TreeSet<>(want.keys()), new java.util.TreeSet<>(params.keySet()));
            for (String k : want.keys()) {
                // The golden README: an fp64 replay of the same run ends within 1.3e-6.
                Goldens.assertAllClose(k, want.tensor(k).toFloatArray(), params.get(k).value().toFloatArray(), 1e-5);
            }
        }
    }

    @Test
    void trainerRunMatchesTransformers(@TempDir Path out) throws Exception {
        try (PeftModel peft = model()) {
            // 2 layers x (q_proj 8x64 + 64x8, v_proj 8x64 + 32x8) = 3,584; with the base's 158,016 that is
            // 161,600, and 161,600 - 32,768 (embed_tokens) = the 128,832 the golden's total_flos counts.
            assertEquals("trainable params: 3,584 || all params: 161,600 || trainable%: 2.2178",
                    peft.trainableParametersLine());
            Trainer trainer = new Trainer(peft, args(out), dataset(), null, new DataCollatorForSeq2Seq(0));
            TrainOutput result = trainer.train();
            assertEquals(12, result.globalStep());
            assertEquals(golden.get("train_output").get("training_loss").doubleValue(), result.trainingLoss(), 1e-6);
            assertStepLogs(trainer.state().logHistory, 1);
            assertFinalAdapter(peft);
        }
        try (Stream<Path> dirs = Files.list(out)) {
            assertEquals(List.of("checkpoint-12", "checkpoint-8"),
                    dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList());
        }
        Path ck = out.resolve("checkpoint-12");
        assertEquals(Files.readString(run.resolve("checkpoint-12/adapter_config.json")),
                Files.readString(ck.resolve("adapter_config.json")), "peft's adapter_config.json, byte for byte");
        try (SafetensorsFile want = SafetensorsFile.open(run.resolve("checkpoint-12/adapter_model.safetensors"));
             SafetensorsFile got = SafetensorsFile.open(ck.resolve("adapter_model.safetensors"))) {
            assertEquals(want.keys(), got.keys());
            for (String k : want.keys()) {
                Goldens.assertAllClose(k, want.tensor(k).toFloatArray(), got.tensor(k).toFloatArray(), 1e-5);
            }
        }
    }

    @Test
    void resumesFromPeftsCheckpoint(@TempDir Path out) throws Exception {
        try (PeftModel peft = model()) {
            Trainer trainer = new Trainer(peft, args(out), dataset(), null, new DataCollatorForSeq2Seq(0));
            TrainOutput result = trainer.train(run.resolve("checkpoint-4"));
            assertEquals(12, result.globalStep());
            assertStepLogs(trainer.state().logHistory, 5);
            assertFinalAdapter(peft);
            assertTrue(Files.isRegularFile(out.resolve("checkpoint-12/adapter_model.safetensors")));
        }
    }
}
