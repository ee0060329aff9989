package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.autograd.Autograd;
import dev.tune4j.autograd.GradMode;
import dev.tune4j.backend.onnx.OrtTrainingStep;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.ParamGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The LoRA training step traced into one ONNX graph and run on ONNX Runtime's CPU provider:
 * loss and gradients against the cpu backend's autograd (same model, same batch, with a
 * left-padded row and ignored labels) and against peft + torch's golden step.
 */
class OrtTrainingStepTest {
    /** Gradients agree to float32 rounding of two different summation orders, relative to the tensor's scale. */
    private static final double REL = 1e-5;

    private static final LoadOptions ORT = LoadOptions.builder().backend("onnxruntime").device("cpu").build();

    private static int[][] matrix(JsonNode n) {
        int[][] m = new int[n.size()][];
        for (int r = 0; r < n.size(); r++) {
            m[r] = new int[n.get(r).size()];
            for (int c = 0; c < m[r].length; c++) {
                m[r][c] = n.get(r).get(c).intValue();
            }
        }
        return m;
    }

    /** A training batch: ids, mask, labels. */
    private record Batch(int[][] ids, int[][] mask, int[][] labels) {}

    private static JsonNode goldenStep(Goldens g) throws Exception {
        return new ObjectMapper().readTree(g.peft.resolve("expected.json").toFile()).get("train_step");
    }

    private static Batch goldenBatch(JsonNode step) {
        return new Batch(matrix(step.get("input_ids")), matrix(step.get("attention_mask")), matrix(step.get("labels")));
    }

    /** The golden batch with row 0 left-padded by 4 (pad id 0, mask 0, label -100) and more ignored labels. */
    private static Batch paddedBatch(JsonNode step) {
        Batch b = goldenBatch(step);
        for (int t = 0; t < 4; t++) {
            b.ids()[0][t] = 0;
            b.mask()[0][t] = 0;
            b.labels()[0][t] = -100;
        }
        b.labels()[0][6] = -100;
        b.labels()[1][10] = -100;
        return b;
    }

    /** loss.backward() on the cpu backend; returns the loss. */
    private static float cpuStep(CausalLM model, Batch b) {
        try (var on = GradMode.enableGrad()) {
            CausalLMOutput out = model.forward(new ForwardArgs(b.ids(), b.mask(), null, b.labels(), false));
            Autograd.backward(out.lossTensor());
            return out.loss();
        }
    }

    private static PeftModel goldenAdapter(Goldens g, CausalLM base) {
        PeftModel peft = PeftModel.fromPretrained(base, g.peft.resolve("adapter"), "default", true);
        peft.train(true);
        return peft;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** Every gradient of {@code got} against {@code want}: |diff| <= REL * max(1, max|want|). */
    private static void assertGradsClose(String what, Map<String, Parameter> want, Map<String, Parameter> got) {
        assertEquals(want.keySet(), got.keySet(), what + ": trained parameters");
        for (var e : want.entrySet()) {
            Tensor wg = e.getValue().grad();
            Tensor gg = got.get(e.getKey()).grad();
            assertNotNull(wg, what + ": cpu grad of " + e.getKey());
            assertNotNull(gg, what + ": onnxruntime grad of " + e.getKey());
            float[] w = wg.toFloatArray();
            Goldens.assertAllClose(what + " grad " + e.getKey(), w, gg.toFloatArray(), REL * Math.max(1, maxAbs(w)));
        }
    }

    @Test
    void loraGradientsMatchTheCpuBackendAndPeft() throws Exception {
        Goldens g = new Goldens();
        JsonNode step = goldenStep(g);
        try (PeftModel cpu = goldenAdapter(g, g.base());
             PeftModel ort = goldenAdapter(g, AutoModelForCausalLM.fromPretrained(g.llama, ORT));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            // Against the cpu backend: a left-padded row and ignored labels.
            Batch padded = paddedBatch(step);
            float cpuLoss = cpuStep(cpu, padded);
            float ortLoss = train.forwardBackward(padded.ids(), padded.mask(), padded.labels());
            assertEquals(cpuLoss, ortLoss, 1e-5, "loss of the padded batch");
            assertGradsClose("padded batch", cpu.trainableParameters(), ort.trainableParameters());

            // A second call adds to .grad, as a second backward does, here scaled as the Trainer scales by 1 / gas.
            var args = new ForwardArgs(padded.ids(), padded.mask(), null, padded.labels(), false);
            assertEquals(ortLoss, train.forwardBackward(args, 0.25f), 0f, "the same batch gives the same loss");
            try (var on = GradMode.enableGrad()) {
                Autograd.backward(cpu.forward(args).lossTensor(), Tensor.of(new float[] {0.25f}, 1));
            }
            assertGradsClose("accumulated", cpu.trainableParameters(), ort.trainableParameters());
            ort.trainableParameters().values().forEach(Parameter::zeroGrad);

            // Against peft + torch: the golden batch, then AdamW on the host with these gradients.
            Batch golden = goldenBatch(step);
            float loss = train.forwardBackward(golden.ids(), golden.mask(), golden.labels());
            assertEquals(step.get("loss").doubleValue(), loss, 1e-4, "loss");
            Map<String, Parameter> params = ort.trainableParameters();
            try (SafetensorsFile grads = SafetensorsFile.open(g.peft.resolve("train_grads.safetensors"))) {
                for (var e : params.entrySet()) {
                    assertNotNull(e.getValue().grad(), e.getKey());
                    Goldens.assertAllClose("grad " + e.getKey(), grads.tensor(e.getKey()).toFloatArray(),
                            e.getValue().grad().toFloatArray(), 1e-5);
                }
            }
            new AdamW(List.of(new ParamGroup(params, 1e-3, 0.0)), 0.9, 0.999, 1e-8).step();
            try (SafetensorsFile after = SafetensorsFile.open(g.peft.resolve("train_after_step.safetensors"))) {
                for (var e : params.entrySet()) {
                    Goldens.assertAllClose("after step " + e.getKey(), after.tensor(e.getKey()).toFloatArray(),
                            e.getValue().value().toFloatArray(), 1e-6);
                }
            }
            assertEquals(step.get("loss_after_step").doubleValue(),
                    train.forwardBackward(golden.ids(), golden.mask(), golden.labels()), 1e-4, "loss after the step");
        }
    }

    @Test
    void packedDocumentsMatchTheCpuBackend() throws Exception {
        Goldens g = new Goldens();
        Batch b = goldenBatch(goldenStep(g));
        // Two documents per row, told apart by position ids restarting at 0 (no attention mask).
        int[][] pos = new int[2][16];
        for (int[] row : pos) {
            for (int t = 0; t < 16; t++) {
                row[t] = t < 7 ? t : t - 7;
            }
        }
        var args = new ForwardArgs(b.ids(), null, pos, b.labels(), false);
        try (PeftModel cpu = goldenAdapter(g, g.base());
             PeftModel ort = goldenAdapter(g, AutoModelForCausalLM.fromPretrained(g.llama, ORT));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            float cpuLoss;
            try (var on = GradMode.enableGrad()) {
                CausalLMOutput out = cpu.forward(args);
                Autograd.backward(out.lossTensor());
                cpuLoss = out.loss();
            }
            assertEquals(cpuLoss, train.forwardBackward(args), 1e-5, "loss of the packed batch");
            assertGradsClose("packed batch", cpu.trainableParameters(), ort.trainableParameters());
            // The same batch as one document per row is another computation.
            ort.trainableParameters().values().forEach(Parameter::zeroGrad);
            assertNotEquals(cpuLoss, train.forwardBackward(b.ids(), null, b.labels()), 1e-4);
        }
    }

    @Test
    void threeAdamWStepsGiveTheCpuBackendsWeights() throws Exception {
        Goldens g = new Goldens();
        Batch b = paddedBatch(goldenStep(g));
        try (PeftModel cpu = goldenAdapter(g, g.base());
             PeftModel ort = goldenAdapter(g, AutoModelForCausalLM.fromPretrained(g.llama, ORT));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            var cpuOpt = new AdamW(List.of(new ParamGroup(cpu.trainableParameters(), 1e-3, 0.01)), 0.9, 0.999, 1e-8);
            var ortOpt = new AdamW(List.of(new ParamGroup(ort.trainableParameters(), 1e-3, 0.01)), 0.9, 0.999, 1e-8);
            float first = Float.NaN;
            float last = Float.NaN;
            for (int s = 0; s < 3; s++) {
                float cl = cpuStep(cpu, b);
                float ol = train.forwardBackward(b.ids(), b.mask(), b.labels());
                assertEquals(cl, ol, 1e-5, "loss at step " + s);
                cpuOpt.step();
                ortOpt.step();
                cpuOpt.zeroGrad();
                ortOpt.zeroGrad();
                first = s == 0 ? ol : first;
                last = ol;
            }
            assertTrue(last < first, "three steps on one batch lower its loss: " + first + " -> " + last);
            for (var e : cpu.trainableParameters().entrySet()) {
                Goldens.assertAllClose("after 3 steps " + e.getKey(), e.getValue().value().toFloatArray(),
                        ort.trainableParameters().get(e.getKey()).value().toFloatArray(), 1e-5);
            }
        }
    }

    /** Trains every LoRA matrix from the same non-zero start, so that A and B both get gradients. */
    private static PeftModel randomLora(CausalLM base, LoraConfig config) {
        PeftModel peft = PeftModel.getPeftModel(base, config);
        peft.train(true);
        for (var e : peft.trainableParameters().entrySet()) {
            Parameter p = e.getValue();
            SplittableRandom r = new SplittableRandom(e.getKey().hashCode());
            float[] v = new float[Math.toIntExact(p.numel())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.05);
            }
            p.set(Tensor.of(v, p.value().shape()));
        }
        return peft;
    }

    private static Batch randomBatch(int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] ids = new int[3][9];
        int[][] mask = new int[3][9];
        int[][] labels = new int[3][9];
        for (int b = 0; b < 3; b++) {
            int pad = b == 1 ? 3 : 0;
            for (int t = 0; t < 9; t++) {
                boolean real = t >= pad;
                ids[b][t] = real ? r.nextInt(vocab) : 0;
                mask[b][t] = real ? 1 : 0;
                labels[b][t] = real && t >= pad + 2 ? ids[b][t] : -100;
            }
        }
        return new Batch(ids, mask, labels);
    }

    private static void compareWithCpu(Path dir, LoraConfig config) {
        try (PeftModel cpu = randomLora(AutoModelForCausalLM.fromPretrained(dir), config);
             PeftModel ort = randomLora(AutoModelForCausalLM.fromPretrained(dir, ORT), config);
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            Batch b = randomBatch(cpu.config().vocabSize(), 7);
            assertEquals(cpuStep(cpu, b), train.forwardBackward(b.ids(), b.mask(), b.labels()), 1e-5, dir + " loss");
            assertGradsClose(dir.toString(), cpu.trainableParameters(), ort.trainableParameters());
        }
    }

    @Test
    void qwen2LoraGradientsMatchTheCpuBackend() {
        // Qwen2: biased q/k/v projections, grouped-query attention.
        compareWithCpu(SharedData.require("golden/qwen2_tiny"), LoraConfig.builder().r(4).loraAlpha(8)
                .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").build());
    }

    @Test
    void gpt2LoraGradientsMatchTheCpuBackend() {
        // GPT-2: Conv1D layers (fan_in_fan_out), LayerNorm, tanh GELU, learned positions.
        compareWithCpu(SharedData.require("golden/gpt2_tiny"), LoraConfig.builder().r(4).loraAlpha(8)
                .targetModules("c_attn", "c_proj", "c_fc").fanInFanOut(true).build());
    }

    @Test
    void loraDropoutDrawsTheCpuBackendsMasks() {
        Path dir = SharedData.require("golden/llama_tiny");
        LoraConfig config = LoraConfig.builder().r(4).loraAlpha(8).loraDropout(0.25).targetModules("q_proj", "v_proj", "down_proj").build();
        try (PeftModel cpu = randomLora(AutoModelForCausalLM.fromPretrained(dir), config);
             PeftModel ort = randomLora(AutoModelForCausalLM.fromPretrained(dir, ORT), config);
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            Batch b = randomBatch(cpu.config().vocabSize(), 5);
            float[] losses = new float[2];
            for (int s = 0; s < 2; s++) {
                losses[s] = cpuStep(cpu, b);
                assertEquals(losses[s], train.forwardBackward(b.ids(), b.mask(), b.labels()), 1e-5, "loss at call " + s);
                assertGradsClose("dropout, call " + s, cpu.trainableParameters(), ort.trainableParameters());
            }
            assertNotEquals(losses[0], losses[1], "each call draws new masks");
        }
    }

    /**
     * Any model whose trained parameters are those with requires_grad: here all but the embeddings
     * (norm weights and biases, projections with their biases, Conv1D, the LM head).
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void fullFineTuningGradientsMatchTheCpuBackend(String name) {
        Path dir = SharedData.require("golden/" + name);
        try (CausalLM cpu = AutoModelForCausalLM.fromPretrained(dir); CausalLM ort = AutoModelForCausalLM.fromPretrained(dir, ORT)) {
            Map<String, Parameter> cpuTrained = new LinkedHashMap<>();
            Map<String, Parameter> ortTrained = new LinkedHashMap<>();
            for (var pair : List.of(Map.entry(cpu, cpuTrained), Map.entry(ort, ortTrained))) {
                pair.getKey().module().namedParameters().forEach((k, p) -> {
                    p.requiresGrad(!k.contains("embed_tokens") && !k.contains("wte") && !k.contains("wpe"));
                    if (p.requiresGrad()) {
                        pair.getValue().put(k, p);
                    }
                });
            }
            try (OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
                assertEquals(ortTrained.keySet(), train.trainableParameters().keySet());
                Batch b = randomBatch(cpu.config().vocabSize(), 11);
                assertEquals(cpuStep(cpu, b), train.forwardBackward(b.ids(), b.mask(), b.labels()), 1e-5, "loss");
                assertGradsClose(name + " full fine-tuning", cpuTrained, ortTrained);
            }
        }
    }

    /** GPT-2 with its activation swapped: each activation's backward (the weights are not trained with it; only the math matters). */
    @ParameterizedTest
    @ValueSource(strings = {"gelu", "relu", "silu"})
    void activationGradientsMatchTheCpuBackend(String activation, @TempDir Path tmp) throws Exception {
        Path src = SharedData.require("golden/gpt2_tiny");
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(src.resolve("config.json").toFile());
        config.put("activation_function", activation);
        Files.writeString(tmp.resolve("config.json"), config.toString());
        Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        compareWithCpu(tmp, LoraConfig.builder().r(4).loraAlpha(8).targetModules("c_fc").fanInFanOut(true).build());
    }

    @Test
    void anOpWithoutBackwardIsNamed() {
        Path dir = SharedData.require("golden/llama_tiny");
        try (CausalLM ort = AutoModelForCausalLM.fromPretrained(dir, ORT)) {
            ort.module().namedParameters().forEach((k, p) -> p.requiresGrad(k.equals("model.embed_tokens.weight")));
            var e = assertThrows(UnsupportedOperationException.class, () -> OrtTrainingStep.compile(ort));
            assertTrue(e.getMessage().contains("embedding"), e.getMessage());
        }
    }

    @Test
    void aModelOnTheCpuBackendIsRejected() {
        Goldens g = new Goldens();
        try (PeftModel cpu = goldenAdapter(g, g.base())) {
            var e = assertThrows(IllegalArgumentException.class, () -> OrtTrainingStep.compile(cpu));
            assertTrue(e.getMessage().contains("backend cpu") && e.getMessage().contains("onnxruntime"), e.getMessage());
        }
    }

    @Test
    void badBatchesAreRejected() {
        Goldens g = new Goldens();
        try (PeftModel ort = goldenAdapter(g, AutoModelForCausalLM.fromPretrained(g.llama, ORT));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            int[][] ids = {{1, 2, 3}};
            var e = assertThrows(IllegalArgumentException.class, () -> train.forwardBackward(ids, null, new int[][] {{1, 512, 3}}));
            assertTrue(e.getMessage().contains("labels[0][1] = 512"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> train.forwardBackward(ids, new int[][] {{1, 1}}, ids));
            assertTrue(e.getMessage().contains("attention_mask row 0"), e.getMessage());
            assertFalse(Float.isNaN(train.forwardBackward(ids, null, ids)));
            assertTrue(Float.isNaN(train.forwardBackward(ids, null, new int[][] {{-100, -100, -100}})),
                    "no target: NaN loss, like the cpu backend");
        }
    }
}
