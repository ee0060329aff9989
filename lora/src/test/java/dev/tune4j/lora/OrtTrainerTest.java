package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.train.PredictionOutput;
import dev.tune4j.train.TrainOutput;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer over a PEFT model whose base was loaded with backend "onnxruntime": its training
 * steps run in ONNX Runtime and replay transformers + peft's LoRA run (golden/trainer/lora_run)
 * as the cpu backend does, from scratch and resumed from peft's checkpoint-4; evaluation and
 * prediction afterwards see the trained adapter; gradient checkpointing is refused.
 */
class OrtTrainerTest {
    private static final LoadOptions ORT = LoadOptions.builder().backend("onnxruntime").device("cpu").build();

    @BeforeAll
    static void load() throws Exception {
        LoraTrainerGoldenTest.load();
    }

    @Test
    void loraRunOnOnnxRuntimeMatchesTransformers(@TempDir Path out) throws Exception {
        Dataset data = LoraTrainerGoldenTest.dataset();
        try (PeftModel peft = LoraTrainerGoldenTest.model(ORT)) {
            Trainer trainer = new Trainer(peft, LoraTrainerGoldenTest.args(out), data, data, new DataCollatorForSeq2Seq(0));
            TrainOutput result = trainer.train();
            assertEquals(12, result.globalStep());
            assertEquals(LoraTrainerGoldenTest.golden.get("train_output").get("training_loss").doubleValue(),
                    result.trainingLoss(), 1e-6);
            LoraTrainerGoldenTest.assertStepLogs(trainer.state().logHistory, 1);
            LoraTrainerGoldenTest.assertFinalAdapter(peft);
            assertTrue(Files.isRegularFile(out.resolve("checkpoint-12/adapter_model.safetensors")));

            // Evaluation and prediction on the trained model against the cpu backend running peft's final adapter.
            Map<String, Double> eval = trainer.evaluate();
            PredictionOutput pred = trainer.predict(data);
            try (PeftModel cpu = LoraTrainerGoldenTest.model(LoadOptions.defaults())) {
                AdapterFiles.load(cpu, "default", LoraTrainerGoldenTest.run.resolve("adapter_final.safetensors"));
                Trainer cpuTrainer = new Trainer(cpu, LoraTrainerGoldenTest.args(out), data, data, new DataCollatorForSeq2Seq(0));
                assertEquals(cpuTrainer.evaluate().get("eval_loss"), eval.get("eval_loss"), 1e-5, "eval_loss");
                PredictionOutput want = cpuTrainer.predict(data);
                assertEquals(want.logits().size(), pred.logits().size());
                for (int i = 0; i < want.logits().size(); i++) {
                    Tensor w = want.logits().get(i);
                    Goldens.assertAllClose("logits of batch " + i, w.toFloatArray(), pred.logits().get(i).toFloatArray(), 1e-4);
                }
            }
        }
    }

    @Test
    void resumesFromPeftsCheckpointOnOnnxRuntime(@TempDir Path out) {
        try (PeftModel peft = LoraTrainerGoldenTest.model(ORT)) {
            Trainer trainer = new Trainer(peft, LoraTrainerGoldenTest.args(out), LoraTrainerGoldenTest.dataset(), null,
                    new DataCollatorForSeq2Seq(0));
            TrainOutput result = trainer.train(LoraTrainerGoldenTest.run.resolve("checkpoint-4"));
            assertEquals(12, result.globalStep());
            LoraTrainerGoldenTest.assertStepLogs(trainer.state().logHistory, 5);
            LoraTrainerGoldenTest.assertFinalAdapter(peft);
        }
    }

    @Test
    void gradientCheckpointingIsRefused(@TempDir Path out) {
        Dataset data = LoraTrainerGoldenTest.dataset();
        TrainingArguments args = LoraTrainerGoldenTest.args(out).toBuilder().gradientCheckpointing(true).build();
        try (PeftModel peft = LoraTrainerGoldenTest.model(ORT)) {
            Trainer trainer = new Trainer(peft, args, data, null, new DataCollatorForSeq2Seq(0));
            var e = assertThrows(IllegalArgumentException.class, trainer::train);
            assertTrue(e.getMessage().contains("gradient_checkpointing is not available on the onnxruntime backend"),
                    e.getMessage());
        }
        try (CausalLM base = AutoModelForCausalLM.fromPretrained(LoraTrainerGoldenTest.llama, ORT)) {
            var e = assertThrows(UnsupportedOperationException.class, () -> base.gradientCheckpointing(true));
            assertTrue(e.getMessage().contains("onnxruntime"), e.getMessage());
        }
    }
}
