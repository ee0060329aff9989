package dev.tune4j.quant.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.lora.LoraConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.nn.Linear4bit;
import dev.tune4j.quant.optim.AdamW8bit;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import dev.tune4j.train.Trainer;
import dev.tune4j.train.TrainingArguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QLoRA on llama_tiny: LoRA over NF4 layers, trained by the Trainer with 8-bit AdamW, then merged. */
class QloraTest {
    private static final BitsAndBytesConfig NF4_DQ = BitsAndBytesConfig.builder().loadIn4bit(true)
            .bnb4bitQuantType("nf4").bnb4bitUseDoubleQuant(true).build();

    @TempDir
    Path tmp;

    private static CausalLM load4bit() {
        return AutoModelForCausalLM.fromPretrained(SharedData.require("golden/llama_tiny"),
                LoadOptions.builder().quantizationConfig(NF4_DQ).build());
    }

    private static LoraConfig lora(int r) {
        return LoraConfig.builder().r(r).loraAlpha(16).loraDropout(0.0).allLinear().initLoraWeights(false).build();
    }

    /** The same model with every 4-bit layer replaced by a dense Linear holding its dequantized weight. */
    private static CausalLM denseTwin(CausalLM quantized) {
        CausalLM dense = AutoModelForCausalLM.fromPretrained(SharedData.require("golden/llama_tiny"));
        for (var e : quantized.module().namedModules().entrySet()) {
            if (e.getValue() instanceof Linear4bit l) {
                var parent = dense.module().findParent(e.getKey()).orElseThrow();
                Linear old = (Linear) parent.getKey().child(parent.getValue());
                parent.getKey().replaceChild(parent.getValue(), new Linear(old.backend(), l.dequantizedWeight(), null));
            }
        }
        return dense;
    }

    @Test
    void trainableParametersLineCountsFourBitWeightsAsPeftDoes() {
        // peft counts a 4-bit weight by its packed storage (out * in / 2 elements) and bitsandbytes'
        // quant state not at all. llama_tiny: embeddings and head 2 * 512 * 64, norms 5 * 64, the 7
        // projections of 2 layers 92,160 weights -> 46,080; LoRA r 8 on q_proj, v_proj: 3,584
        // (the dense model's line, 161,600 in all, is peft's golden in LoraTrainerGoldenTest).
        LoraConfig qv = LoraConfig.builder().r(8).loraAlpha(16).targetModules("q_proj", "v_proj").build();
        try (CausalLM q = load4bit(); PeftModel peft = PeftModel.getPeftModel(q, qv)) {
            assertEquals("trainable params: 3,584 || all params: 115,520 || trainable%: 3.1025",
                    peft.trainableParametersLine());
        }
    }

    @Test
    void adapterGradientsThroughFourBitLayersEqualThoseThroughTheDequantizedModel() {
        int[][] ids = {{1, 17, 33, 8, 250, 91, 5, 77}};
        try (CausalLM q = KbitTraining.prepareModelForKbitTraining(load4bit());
             CausalLM d = denseTwin(q);
             PeftModel pq = PeftModel.getPeftModel(q, lora(4));
             PeftModel pd = PeftModel.getPeftModel(d, lora(4))) {
            assertTrue(((PreTrainedCausalLM) q).isGradientCheckpointing(), "prepare turns gradient checkpointing on");
            d.gradientCheckpointing(true);
            for (PeftModel p : List.of(pq, pd)) {
                p.module().train(true);
                p.forward(ForwardArgs.of(ids).withLabels(ids)).backward();
            }
            Map<String, Parameter> gq = pq.trainableParameters();
            Map<String, Parameter> gd = pd.trainableParameters();
            assertEquals(gd.keySet(), gq.keySet());
            assertEquals(28, gq.size(), "lora_A and lora_B of 14 projections");
            for (String k : gq.keySet()) {
                float[] a = gq.get(k).grad().toFloatArray();
                float[] b = gd.get(k).grad().toFloatArray();
                double norm = 0;
                for (float v : b) {
                    norm = Math.max(norm, Math.abs(v));
                }
                assertTrue(norm > 0, k + " gets a gradient");
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-4 * Math.max(1, norm), k + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void trainerLearnsWithLoraOverNf4And8bitAdamWAndMergingKeepsTheFunction() {
        Dataset train = rule(48, 1);
        CausalLM base = KbitTraining.prepareModelForKbitTraining(load4bit());
        try (PeftModel peft = PeftModel.getPeftModel(base, lora(64))) {
            for (Parameter p : base.module().namedParameters().values()) {
                // Only the adapters train: the 4-bit weights, embeddings and norms stay frozen.
                assertFalse(p.requiresGrad() && !isAdapter(base, p));
            }
            TrainingArguments args = TrainingArguments.builder().outputDir(tmp).perDeviceTrainBatchSize(8)
                    .learningRate(2e-3).lrSchedulerType("constant").loggingSteps(1).saveStrategy("no").seed(3)
                    .reportTo(List.of()).numTrainEpochs(4).optim("adamw_8bit").maxGradNorm(0.3).build();
            Trainer trainer = new Trainer(peft, args, train, null, new DataCollatorForSeq2Seq(0));
            trainer.train();
            AdamW8bit opt = assertInstanceOf(AdamW8bit.class, trainer.optimizer());
            long eightBit = opt.paramGroups().stream().flatMap(g -> g.names().stream()).filter(opt::is8bit).count();
            assertTrue(eightBit > 0, "r=64 adapters of 64x64 and larger have 8-bit moments");

            List<Double> losses = new ArrayList<>();
            for (Map<String, Object> row : trainer.state().logHistory) {
                if (row.get("loss") instanceof Number n) {
                    losses.add(n.doubleValue());
                }
            }
            double first = (losses.get(0) + losses.get(1)) / 2;
            double last = (losses.get(losses.size() - 1) + losses.get(losses.size() - 2)) / 2;
            assertTrue(last < 0.6 * first, "training loss " + first + " -> " + last);

            // Base + adapter, then the adapter merged into the dequantized base: the same function.
            peft.module().train(false);
            int[][] ids = {{5, 18, 12, 9, 30, 7}};
            float[] before = peft.forward(ids, null, null).logits().toFloatArray();
            CausalLM merged = peft.mergeAndUnload();
            float[] after = merged.forward(ids, null, null).logits().toFloatArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i], 1e-4, "logit " + i);
            }
            Module q = merged.module().findModule("model.layers.0.self_attn.q_proj").orElseThrow();
            Linear4bit l = assertInstanceOf(Linear4bit.class, q);
            assertEquals(null, l.quantState(), "merged onto the dequantized weight, kept in float32");
            assertNotNull(l.dequantizedWeight());
        }
    }

    private static boolean isAdapter(CausalLM model, Parameter p) {
        return model.module().namedParameters().entrySet().stream()
                .anyMatch(e -> e.getValue() == p && e.getKey().contains("lora_"));
    }

    /** Sequences following next = (5 * prev + 3) mod 29 + 3 over the ids 3..31. */
    private static Dataset rule(int count, long seed) {
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
}
