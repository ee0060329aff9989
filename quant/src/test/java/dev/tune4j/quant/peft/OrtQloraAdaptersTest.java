package dev.tune4j.quant.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.backend.onnx.MultiLoraCausalLM;
import dev.tune4j.io.safetensors.SafetensorsCheckpoint;
import dev.tune4j.lora.OnnxAdapters;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.nn.Linear4bit;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Run-time LoRA adapters over a 4-bit base on ONNX Runtime: peft's golden adapters, converted,
 * fill the slots of one compiled NF4 (double quant) model, whose logits equal PeftModel's over the
 * same 4-bit base on the cpu backend, adapter by adapter and with none.
 */
class OrtQloraAdaptersTest {
    private static final float ATOL = 1e-4f;
    private static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    private static final BitsAndBytesConfig NF4_DQ = BitsAndBytesConfig.builder().loadIn4bit(true)
            .bnb4bitQuantType("nf4").bnb4bitUseDoubleQuant(true).build();

    @Test
    void peftAdaptersOverAFourBitBaseGivePeftModelsLogits() {
        Path llama = SharedData.require("golden/llama_tiny");
        Path peft = SharedData.require("golden/peft_lora_llama_tiny");
        int[][] ids;
        int[][] mask;
        int[][] pos;
        try (SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(llama.resolve("expected.safetensors"))) {
            ids = ints(expected.tensor("input_ids_3"));
            mask = ints(expected.tensor("attention_mask_3"));
            pos = ints(expected.tensor("position_ids_3"));
        }
        ForwardArgs args = new ForwardArgs(ids, mask, pos, null, false);
        try (MultiLoraCausalLM ort = MultiLoraCausalLM.of(AutoModelForCausalLM.fromPretrained(llama, LoadOptions.builder()
                .backend("onnxruntime").device("cpu").quantizationConfig(NF4_DQ).loraTargetModules(TARGETS).build()))) {
            assertEquals(7 * 2, ort.loraModules().size(), "a slot on every projection of both layers");
            ort.loadAdapter(OnnxAdapters.fromPeft(peft.resolve("adapter")), "default");
            OnnxAdapters.loadPeftAdapter(ort, peft.resolve("adapter2"), "second");
            for (String[] run : new String[][] {{"default", "adapter"}, {"second", "adapter2"}}) {
                try (PeftModel cpu = PeftModel.fromPretrained(cpuBase(llama), peft.resolve(run[1]))) {
                    ort.setAdapter(run[0]);
                    Tensor want = cpu.forward(args).logits();
                    assertClose(run[0], want, ort.forward(args).logits(), mask);
                    try (var off = cpu.disableAdapter()) {
                        Tensor base = cpu.forward(args).logits();
                        ort.disableAdapter();
                        assertClose("no adapter", base, ort.forward(args).logits(), mask);
                        assertTrue(maxDiff(want, base, mask) > 100 * ATOL, run[0] + " changes the logits");
                    }
                }
            }
        }
    }

    private static CausalLM cpuBase(Path llama) {
        CausalLM base = AutoModelForCausalLM.fromPretrained(llama, LoadOptions.builder().quantizationConfig(NF4_DQ).build());
        assertTrue(base.module().findModule("model.layers.1.self_attn.q_proj").orElseThrow() instanceof Linear4bit);
        return base;
    }

    /** Largest |a - b| over the positions whose mask is 1 (padding rows hold artifacts). */
    private static double maxDiff(Tensor a, Tensor b, int[][] mask) {
        assertArrayEquals(a.shape(), b.shape());
        int width = a.dim(2);
        int seq = a.dim(1);
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            int tok = i / width;
            if (mask[tok / seq][tok % seq] == 1) {
                m = Math.max(m, Math.abs(x[i] - y[i]));
            }
        }
        return m;
    }

    private static void assertClose(String what, Tensor cpu, Tensor ort, int[][] mask) {
        double d = maxDiff(cpu, ort, mask);
        assertTrue(d <= ATOL, what + ": logits differ by " + d + " between PeftModel on the cpu backend and onnxruntime");
    }

    private static int[][] ints(Tensor t) {
        long[] flat = t.toLongArray();
        int[][] out = new int[t.dim(0)][t.dim(1)];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = (int) flat[r * out[r].length + c];
            }
        }
        return out;
    }
}
