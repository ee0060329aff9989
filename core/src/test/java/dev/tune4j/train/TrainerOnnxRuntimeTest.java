package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.nn.Parameter;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning every weight but the embedding table of golden llama_tiny through the Trainer with the model loaded on the
 * onnxruntime backend (training steps in ONNX Runtime) against the same run on the cpu backend:
 * logged losses, grad norms and learning rates, final weights, then evaluation and greedy
 * generation of the trained models.
 */
class TrainerOnnxRuntimeTest {
    @TempDir
    Path tmp;

    private static final LoadOptions ORT = LoadOptions.builder().backend("onnxruntime").device("cpu").build();

    private TrainingArguments args() {
        return TrainingArguments.builder().outputDir(tmp).perDeviceTrainBatchSize(4).gradientAccumulationSteps(2)
                .numTrainEpochs(2).learningRate(1e-3).lrSchedulerType("linear").warmupSteps(1).maxGradNorm(1.0)
                .weightDecay(0.01).loggingSteps(1).saveStrategy("no").seed(42).reportTo(List.of()).build();
    }

    @Test
    void fullFineTuningOnOnnxRuntimeMatchesTheCpuBackend() {
        Path dir = SharedData.require("golden/llama_tiny");
        Dataset train = TrainerTest.rule(16, 1);
        Dataset held = TrainerTest.rule(6, 2);
        try (CausalLM cpu = AutoModelForCausalLM.fromPretrained(dir); CausalLM ort = AutoModelForCausalLM.fromPretrained(dir, ORT)) {
            for (CausalLM m : List.of(cpu, ort)) {
                m.module().requiresGrad(true);
                // The ONNX training graph has no embedding backward: the table stays frozen.
                m.module().namedParameters().forEach((k, p) -> p.requiresGrad(!k.equals("model.embed_tokens.weight")));
            }
            Trainer want = new Trainer(cpu, args(), train, held, new DataCollatorForSeq2Seq(0));
            Trainer got = new Trainer(ort, args(), train, held, new DataCollatorForSeq2Seq(0));
            TrainOutput wantOut = want.train();
            TrainOutput gotOut = got.train();
            assertEquals(4, gotOut.globalStep());
            assertEquals(wantOut.trainingLoss(), gotOut.trainingLoss(), 1e-5, "train_loss");
            List<Map<String, Object>> w = want.state().logHistory.stream().filter(m -> m.containsKey("loss")).toList();
            List<Map<String, Object>> g = got.state().logHistory.stream().filter(m -> m.containsKey("loss")).toList();
            assertEquals(4, g.size());
            for (int i = 0; i < w.size(); i++) {
                // Logged losses are rounded to 4 decimals: two float32 sums may round to neighbours.
                assertEquals(num(w.get(i), "loss"), num(g.get(i), "loss"), 1.01e-4, "loss at log " + i);
                assertEquals(num(w.get(i), "grad_norm"), num(g.get(i), "grad_norm"), 1e-5 * num(w.get(i), "grad_norm"),
                        "grad_norm at log " + i);
                assertEquals(num(w.get(i), "learning_rate"), num(g.get(i), "learning_rate"), 0.0, "learning_rate at log " + i);
            }
            Map<String, Parameter> wp = cpu.module().namedParameters();
            Map<String, Parameter> gp = ort.module().namedParameters();
            assertEquals(wp.keySet(), gp.keySet());
            for (String k : wp.keySet()) {
                float[] a = wp.get(k).value().toFloatArray();
                float[] b = gp.get(k).value().toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-5, k + "[" + i + "]");
                }
            }
            // The trained weights changed after the onnxruntime graphs were built: evaluation and
            // generation must see them.
            assertEquals(want.evaluate().get("eval_loss"), got.evaluate().get("eval_loss"), 1e-5, "eval_loss");
            int[][] prompt = {{3, 18, 28, 8}};
            GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(6).build();
            assertArrayEquals(cpu.generate(prompt, null, greedy), ort.generate(prompt, null, greedy), "greedy tokens");
        }
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
