package dev.tune4j.quant.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.autograd.Autograd;
import dev.tune4j.autograd.GradMode;
import dev.tune4j.backend.onnx.OrtTrainingStep;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.nn.Linear4bit;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import dev.tune4j.train.AdamW;
import dev.tune4j.train.ParamGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The QLoRA training step traced into one ONNX graph (4-bit layers as MatMulBnb4 forward, their
 * input gradient through the weight dequantized in the graph) against the cpu backend's autograd
 * through the same 4-bit layers: same quantized weights, same LoRA start, same batch with a
 * left-padded row and ignored labels.
 */
class OrtQloraTrainingStepTest {
    /** As OrtTrainingStepTest: float32 rounding of two summation orders, relative to the tensor's scale. */
    private static final double REL = 1e-5;

    private static final LoraConfig LORA = LoraConfig.builder().r(4).loraAlpha(8)
            .targetModules("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj").build();

    private record Batch(int[][] ids, int[][] mask, int[][] labels) {}

    private static BitsAndBytesConfig bnb(String quantType, boolean doubleQuant) {
        return BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType(quantType)
                .bnb4bitUseDoubleQuant(doubleQuant).build();
    }

    private static CausalLM load(BitsAndBytesConfig bnb, String backend) {
        LoadOptions.Builder o = LoadOptions.builder().quantizationConfig(bnb);
        if (backend.equals("onnxruntime")) {
            o.backend("onnxruntime").device("cpu");
        }
        return AutoModelForCausalLM.fromPretrained(SharedData.require("golden/llama_tiny"), o.build());
    }

    /** LoRA on every projection, every A and B set to the same non-zero values, so that both get gradients. */
    private static PeftModel qlora(CausalLM base) {
        assertTrue(base.module().findModule("model.layers.0.mlp.down_proj").orElseThrow() instanceof Linear4bit);
        PeftModel peft = PeftModel.getPeftModel(base, LORA);
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

    /** Three rows of 9, row 1 left-padded by 3; labels ignored on padding and the first two real tokens. */
    private static Batch batch(int vocab, long seed) {
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

    /** loss.backward() on the cpu backend; returns the loss. */
    private static float cpuStep(CausalLM model, Batch b) {
        try (var on = GradMode.enableGrad()) {
            CausalLMOutput out = model.forward(new ForwardArgs(b.ids(), b.mask(), null, b.labels(), false));
            Autograd.backward(out.lossTensor());
            return out.loss();
        }
    }

    private static void assertClose(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tol)) {
                throw new AssertionError(what + "[" + i + "]: cpu " + want[i] + ", onnxruntime " + got[i] + " (tolerance " + tol + ")");
            }
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static void assertGradsClose(String what, Map<String, Parameter> want, Map<String, Parameter> got) {
        assertEquals(want.keySet(), got.keySet(), what + ": trained parameters");
        for (var e : want.entrySet()) {
            Tensor wg = e.getValue().grad();
            Tensor gg = got.get(e.getKey()).grad();
            assertNotNull(wg, what + ": cpu grad of " + e.getKey());
            assertNotNull(gg, what + ": onnxruntime grad of " + e.getKey());
            float[] w = wg.toFloatArray();
            assertTrue(maxAbs(w) > 0, what + ": the cpu gradient of " + e.getKey() + " is not all zero");
            assertClose(what + " grad " + e.getKey(), w, gg.toFloatArray(), REL * Math.max(1, maxAbs(w)));
        }
    }

    @ParameterizedTest(name = "{0}, double quant {1}")
    @CsvSource({"nf4, true", "fp4, false"})
    void loraGradientsThroughFourBitLayersMatchTheCpuBackend(String quantType, boolean doubleQuant) {
        BitsAndBytesConfig bnb = bnb(quantType, doubleQuant);
        try (PeftModel cpu = qlora(load(bnb, "cpu"));
             PeftModel ort = qlora(load(bnb, "onnxruntime"));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            assertEquals(7 * 2 * cpu.config().numHiddenLayers(), cpu.trainableParameters().size(), "A and B per projection");
            Batch b = batch(cpu.config().vocabSize(), 7);
            String what = quantType + (doubleQuant ? " + double quant" : "");
            assertEquals(cpuStep(cpu, b), train.forwardBackward(b.ids(), b.mask(), b.labels()), 1e-5, what + " loss");
            assertGradsClose(what, cpu.trainableParameters(), ort.trainableParameters());
        }
    }

    @Test
    void twoAdamWStepsGiveTheCpuBackendsWeights() {
        BitsAndBytesConfig bnb = bnb("nf4", true);
        try (PeftModel cpu = qlora(load(bnb, "cpu"));
             PeftModel ort = qlora(load(bnb, "onnxruntime"));
             OrtTrainingStep train = OrtTrainingStep.compile(ort)) {
            Batch b = batch(cpu.config().vocabSize(), 3);
            var cpuOpt = new AdamW(List.of(new ParamGroup(cpu.trainableParameters(), 1e-3, 0.01)), 0.9, 0.999, 1e-8);
            var ortOpt = new AdamW(List.of(new ParamGroup(ort.trainableParameters(), 1e-3, 0.01)), 0.9, 0.999, 1e-8);
            float[] losses = new float[3];
            for (int s = 0; s < 3; s++) {
                float cl = cpuStep(cpu, b);
                losses[s] = train.forwardBackward(b.ids(), b.mask(), b.labels());
                assertEquals(cl, losses[s], 1e-5, "loss at step " + s);
                if (s < 2) {
                    cpuOpt.step();
                    ortOpt.step();
                    cpuOpt.zeroGrad();
                    ortOpt.zeroGrad();
                }
            }
            assertTrue(losses[2] < losses[0], "two steps on one batch lower its loss: " + losses[0] + " -> " + losses[2]);
            for (var e : cpu.trainableParameters().entrySet()) {
                assertClose("after 2 steps " + e.getKey(), e.getValue().value().toFloatArray(),
                        ort.trainableParameters().get(e.getKey()).value().toFloatArray(), 1e-5);
            }
        }
    }

    @Test
    void aTrainedFourBitWeightIsRefused() {
        try (CausalLM ort = load(bnb("nf4", false), "onnxruntime")) {
            ort.module().namedParameters().forEach((k, p) -> p.requiresGrad(k.equals("model.layers.0.self_attn.q_proj.weight")));
            var e = assertThrows(RuntimeException.class, () -> OrtTrainingStep.compile(ort));
            assertTrue(e.getMessage().contains("4-bit weight cannot be trained"), e.getMessage());
        }
    }
}
