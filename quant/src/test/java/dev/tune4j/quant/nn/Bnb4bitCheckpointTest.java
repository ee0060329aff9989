package dev.tune4j.quant.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.io.safetensors.SafetensorsCheckpoint;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.Module;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.Functional;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading and saving bnb-4bit checkpoints through AutoModelForCausalLM against the golden written
 * by transformers + bitsandbytes (golden/bnb4/llama_tiny_bnb4).
 */
class Bnb4bitCheckpointTest {
    private static final BitsAndBytesConfig NF4_DQ = BitsAndBytesConfig.builder().loadIn4bit(true)
            .bnb4bitQuantType("nf4").bnb4bitUseDoubleQuant(true).build();

    @TempDir
    Path tmp;

    @Test
    void preQuantizedGoldenLoadsThroughTheProviderAndGivesTheRecordedLogits() throws Exception {
        Path dir = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(dir);
             SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("expected.safetensors"))) {
            assertDequantizedWeightsExact(model, expected);
            assertLogits(model, expected);
        }
    }

    @Test
    void quantizingWhileLoadingGivesTheSameLayersAsBitsandbytes() throws Exception {
        Path dir = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        Path source = SharedData.require("golden/llama_tiny");
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(source,
                LoadOptions.builder().quantizationConfig(NF4_DQ).build());
             SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("expected.safetensors"))) {
            assertDequantizedWeightsExact(model, expected);
            assertLogits(model, expected);
            assertInstanceOf(Linear.class, model.module().findModule("lm_head").orElseThrow(), "lm_head stays dense");

            Path out = tmp.resolve("saved");
            model.savePretrained(out);
            assertSameLayout(dir.resolve("model.safetensors"), out.resolve("model.safetensors"));
            ObjectMapper json = new ObjectMapper();
            assertEquals(json.readTree(dir.resolve("config.json").toFile()).get("quantization_config"),
                    json.readTree(out.resolve("config.json").toFile()).get("quantization_config"));
            // The golden config.json holds exactly the source config plus quantization_config.
            assertEquals(Files.readString(dir.resolve("config.json")), Files.readString(out.resolve("config.json")));
            assertArrayEquals(Files.readAllBytes(dir.resolve("model.safetensors")),
                    Files.readAllBytes(out.resolve("model.safetensors")), "byte-identical checkpoint");

            // ... and the saved folder loads back through the provider.
            try (CausalLM again = AutoModelForCausalLM.fromPretrained(out)) {
                assertLogits(again, expected);
            }
        }
    }

    @Test
    void eightBitAndConflictingConfigsAreRejected() {
        assertThrows(UnsupportedOperationException.class, () -> BitsAndBytesConfig.builder().loadIn8bit(true).build());
        Path source = SharedData.require("golden/llama_tiny");
        var none = BitsAndBytesConfig.builder().build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AutoModelForCausalLM.fromPretrained(
                source, LoadOptions.builder().quantizationConfig(none).build()));
        assertTrue(e.getMessage().contains("load_in_4bit=false"), e.getMessage());
    }

    @Test
    void skipModulesStayDense() {
        Path source = SharedData.require("golden/llama_tiny");
        var cfg = NF4_DQ.toBuilder().llmInt8SkipModules("o_proj").build();
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(source,
                LoadOptions.builder().quantizationConfig(cfg).build())) {
            Module m = model.module();
            assertInstanceOf(Linear.class, m.findModule("model.layers.0.self_attn.o_proj").orElseThrow());
            assertInstanceOf(Linear4bit.class, m.findModule("model.layers.0.self_attn.q_proj").orElseThrow());
            // transformers replaces its default list (lm_head) by the user's: the head is quantized too.
            assertInstanceOf(Linear4bit.class, m.findModule("lm_head").orElseThrow());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"golden/llama_tiny", "golden/qwen2_tiny"})
    void lmHeadIsDenseByDefaultAndQuantizedWhenTheSkipListOmitsIt(String golden) {
        Path source = SharedData.require(golden);
        int[][] ids = {{1, 17, 43, 9, 250, 3, 77}};
        try (CausalLM dense = AutoModelForCausalLM.fromPretrained(source, LoadOptions.builder().quantizationConfig(NF4_DQ).build());
             CausalLM named = AutoModelForCausalLM.fromPretrained(source, LoadOptions.builder()
                     .quantizationConfig(NF4_DQ.toBuilder().llmInt8SkipModules("lm_head").build()).build());
             CausalLM quantized = AutoModelForCausalLM.fromPretrained(source, LoadOptions.builder()
                     .quantizationConfig(NF4_DQ.toBuilder().llmInt8SkipModules(java.util.List.of()).build()).build())) {
            assertInstanceOf(Linear.class, dense.module().findModule("lm_head").orElseThrow());
            assertInstanceOf(Linear.class, named.module().findModule("lm_head").orElseThrow());
            Linear4bit head = assertInstanceOf(Linear4bit.class, quantized.module().findModule("lm_head").orElseThrow());
            // The quantized head is bitsandbytes' NF4 of the checkpoint's head (the embedding when tied) ...
            Linear denseHead = (Linear) dense.module().findModule("lm_head").orElseThrow();
            float[] w = denseHead.weight().value().toFloatArray();
            int vocab = denseHead.weight().value().dim(0);
            int hidden = denseHead.weight().value().dim(1);
            float[] deq = Functional.dequantize4bit(Functional.quantize4bit(denseHead.weight().value(), 64, "nf4", true));
            assertArrayEquals(deq, head.dequantizedWeight().toFloatArray());
            double err = 0;
            for (int i = 0; i < w.length; i++) {
                err = Math.max(err, Math.abs(w[i] - deq[i]));
            }
            assertTrue(err > 0, "the head was quantized");
            // ... and the logits are the final hidden state times that weight, in double here.
            var out = quantized.forward(new ForwardArgs(ids, null, null, null, true));
            Tensor hs = out.hiddenStates();
            float[] h = hs.toFloatArray();
            int layers = hs.dim(0);
            int seq = ids[0].length;
            float[] logits = out.logits().toFloatArray();
            for (int t = 0; t < seq; t++) {
                int hOff = ((layers - 1) * seq + t) * hidden;
                for (int v = 0; v < vocab; v++) {
                    double z = 0;
                    for (int k = 0; k < hidden; k++) {
                        z += (double) h[hOff + k] * deq[v * hidden + k];
                    }
                    assertEquals(z, logits[t * vocab + v], 1e-4, golden + " logit [" + t + ", " + v + "]");
                }
            }
        }
    }

    static void assertDequantizedWeightsExact(CausalLM model, SafetensorsCheckpoint expected) {
        int n = 0;
        for (var e : model.module().namedModules().entrySet()) {
            if (e.getValue() instanceof Linear4bit l) {
                float[] want = expected.tensor("dequantized/" + e.getKey() + ".weight").toFloatArray();
                float[] got = l.dequantizedWeight().toFloatArray();
                assertEquals(want.length, got.length, e.getKey());
                for (int i = 0; i < want.length; i++) {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                        throw new AssertionError(e.getKey() + "[" + i + "]: " + got[i] + " != " + want[i]);
                    }
                }
                n++;
            }
        }
        assertEquals(14, n, "4-bit layers");
    }

    static void assertLogits(CausalLM model, SafetensorsCheckpoint expected) {
        long[] ids = expected.tensor("input_ids_1").toLongArray();
        int[][] input = {Arrays.stream(ids).mapToInt(x -> (int) x).toArray()};
        float[] want = expected.tensor("logits_1").toFloatArray();
        float[] got = model.forward(input, null, null).logits().toFloatArray();
        assertEquals(want.length, got.length);
        float max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max <= 1e-4f, "max |logit difference| " + max);
        int vocab = 512;
        int last = input[0].length - 1;
        assertEquals(argmax(want, last * vocab, vocab), argmax(got, last * vocab, vocab), "greedy next token");
    }

    private static int argmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }

    static void assertSameLayout(Path want, Path got) {
        try (SafetensorsCheckpoint a = SafetensorsCheckpoint.open(want); SafetensorsCheckpoint b = SafetensorsCheckpoint.open(got)) {
            assertEquals(new TreeSet<>(a.keys()), new TreeSet<>(b.keys()));
            for (String k : a.keys()) {
                Tensor x = a.tensor(k);
                Tensor y = b.tensor(k);
                assertEquals(x.dtype(), y.dtype(), k);
                assertArrayEquals(x.shape(), y.shape(), k);
                if (k.contains("quant_state")) {
                    assertArrayEquals(x.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            y.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), k);
                }
            }
            assertFalse(a.keys().isEmpty());
        }
    }
}
