package dev.tune4j.quant.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.io.safetensors.Safetensors;
import dev.tune4j.io.safetensors.SafetensorsCheckpoint;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 4-bit models on the ONNX Runtime backend, where every Linear4bit runs as com.microsoft
 * MatMulBnb4 (ORT's own dequantization and GEMM): against the logits transformers + bitsandbytes
 * recorded for golden/bnb4/llama_tiny_bnb4, and against the same model on the CPU backend for
 * NF4/FP4 with and without double quantization.
 */
class OnnxRuntimeBnb4Test {
    private static final float ATOL = 1e-4f;
    private static final LoadOptions ORT = LoadOptions.builder().backend("onnxruntime").device("cpu").build();

    @TempDir
    Path tmp;

    @Test
    void preQuantizedGoldenGivesTheRecordedLogitsAndTheCpuGenerations() throws Exception {
        Path dir = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        try (CausalLM ort = AutoModelForCausalLM.fromPretrained(dir, ORT);
             CausalLM cpu = AutoModelForCausalLM.fromPretrained(dir);
             SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("expected.safetensors"))) {
            // logits_1 within 1e-4 and the greedy next token exact (its top-1/top-2 margin is 0.40).
            Bnb4bitCheckpointTest.assertLogits(ort, expected);
            int[][] prompt = {Arrays.stream(expected.tensor("input_ids_1").toLongArray()).mapToInt(v -> (int) v).toArray()};
            GenerationConfig greedy = ort.generationConfig().toBuilder().maxNewTokens(10).doSample(false).build();
            assertArrayEquals(cpu.generate(prompt, null, greedy), ort.generate(prompt, null, greedy));
        }
    }

    @ParameterizedTest(name = "{0}, double quant {1}")
    @CsvSource({"nf4, true", "nf4, false", "fp4, true", "fp4, false"})
    void quantizedWhileLoadingMatchesTheCpuBackend(String quantType, boolean doubleQuant) throws Exception {
        Path dir = SharedData.require("golden/llama_tiny");
        BitsAndBytesConfig bnb = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType(quantType)
                .bnb4bitUseDoubleQuant(doubleQuant).build();
        JsonNode gen = new ObjectMapper().readTree(dir.resolve("expected.json").toFile()).get("generation");
        try (CausalLM cpu = AutoModelForCausalLM.fromPretrained(dir, LoadOptions.builder().quantizationConfig(bnb).build());
             CausalLM ort = AutoModelForCausalLM.fromPretrained(dir, ortWith(bnb));
             SafetensorsCheckpoint expected = SafetensorsCheckpoint.open(dir.resolve("expected.safetensors"))) {
            String what = quantType + (doubleQuant ? " + double quant" : "");
            assertInstanceOf(Linear4bit.class, cpu.module().findModule("model.layers.0.mlp.down_proj").orElseThrow());

            // The left-padded batch, with its mask and position ids.
            int[][] ids = ints(expected, "input_ids_3");
            int[][] mask = ints(expected, "attention_mask_3");
            int[][] pos = ints(expected, "position_ids_3");
            assertClose(cpu.forward(new ForwardArgs(ids, mask, pos, null, false)).logits(),
                    ort.forward(new ForwardArgs(ids, mask, pos, null, false)).logits(), mask, what + " logits_3");
            int[][] one = ints(expected, "input_ids_1");
            assertClose(cpu.forward(one, null, null).logits(), ort.forward(one, null, null).logits(), null,
                    what + " logits_1");

            // Greedy generations on the padded batch: the same tokens.
            GenerationConfig greedy = cpu.generationConfig().toBuilder().maxNewTokens(gen.get("max_new_tokens").asInt())
                    .doSample(false).padTokenId(gen.get("pad_token_id").asInt()).build();
            int[][] prompts = rows(gen.get("prompt_3"));
            int[][] promptMask = rows(gen.get("attention_mask_3"));
            int[][] sequences = cpu.generate(prompts, promptMask, greedy);
            assertArrayEquals(sequences, ort.generate(prompts, promptMask, greedy), what + " greedy generation");

            // The cached steps of that generation through newDecoder, logits step by step (the ORT
            // decode graph; capacity 2 makes both caches grow).
            assertSameDecodeSteps(cpu, ort, prompts, promptMask, sequences, what);
        }
    }

    @Test
    void aBlockSizeOrtLacksIsRefusedNamingTheLayer() {
        Path dir = SharedData.require("golden/llama_tiny");
        BitsAndBytesConfig bnb = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
                .blocksize(512).build();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> AutoModelForCausalLM.fromPretrained(dir, ortWith(bnb)));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("MatMulBnb4") && e.getMessage().contains("blocksize 512")
                && e.getMessage().contains("16, 32, 64, 128 and 256"), e.getMessage());
        // The CPU backend runs the same layers.
        try (CausalLM cpu = AutoModelForCausalLM.fromPretrained(dir, LoadOptions.builder().quantizationConfig(bnb).build())) {
            assertEquals(512, ((Linear4bit) cpu.module().findModule("model.layers.0.self_attn.q_proj").orElseThrow())
                    .quantState().blocksize());
        }
    }

    @Test
    void aCustomQuantMapIsRefusedNamingTheLayer() throws IOException {
        Path golden = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        Path dir = Files.createDirectories(tmp.resolve("custom_map"));
        Files.copy(golden.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(golden.resolve("generation_config.json"), dir.resolve("generation_config.json"));
        Map<String, Tensor> tensors = new LinkedHashMap<>(Safetensors.load(golden.resolve("model.safetensors")));
        String key = "model.layers.1.mlp.up_proj.weight.quant_map";
        float[] map = tensors.get(key).toFloatArray();
        map[14] = 0.75f;   // NF4 has 0.7229568 here: still a valid table for bitsandbytes, not one ORT has
        tensors.put(key, Tensor.of(map, 16));
        Safetensors.save(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));

        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> AutoModelForCausalLM.fromPretrained(dir, ORT));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("quant_map[14] = 0.75"), e.getMessage());
    }

    private static void assertSameDecodeSteps(CausalLM cpu, CausalLM ort, int[][] prompts, int[][] mask,
                                              int[][] sequences, String what) throws Exception {
        int batch = prompts.length;
        int promptLen = prompts[0].length;
        int[][] pos = new int[batch][promptLen];
        int[] next = new int[batch];
        for (int b = 0; b < batch; b++) {
            int p = 0;
            for (int t = 0; t < promptLen; t++) {
                pos[b][t] = mask[b][t] == 1 ? p++ : 1;   // transformers: cumsum(mask) - 1, padding filled with 1
            }
            next[b] = p;
        }
        int vocab = cpu.config().vocabSize();
        try (IncrementalDecoder c = cpu.newDecoder(batch, 2); IncrementalDecoder o = ort.newDecoder(batch, 2)) {
            float[][] want = c.step(prompts, pos, mask);
            float[][] got = o.step(prompts, pos, mask);
            int[][] full = mask;
            for (int col = promptLen; ; col++) {
                for (int b = 0; b < batch; b++) {
                    assertEquals(vocab, got[b].length);
                    for (int v = 0; v < vocab; v++) {
                        if (!(Math.abs(want[b][v] - got[b][v]) <= ATOL)) {
                            throw new AssertionError(what + ": decode step " + (col - promptLen) + " row " + b + " token "
                                    + v + ": cpu " + want[b][v] + ", onnxruntime " + got[b][v]);
                        }
                    }
                }
                if (col == sequences[0].length) {
                    break;
                }
                int[][] grown = new int[batch][col + 1];
                int[][] tok = new int[batch][1];
                int[][] p = new int[batch][1];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(full[b], 0, grown[b], 0, col);
                    grown[b][col] = 1;
                    tok[b][0] = sequences[b][col];
                    p[b][0] = next[b]++;
                }
                full = grown;
                want = c.step(tok, p, full);
                got = o.step(tok, p, full);
            }
        }
    }

    /** [batch, seq, vocab] tensors; with a mask, only positions whose mask is 1 (padding rows hold artifacts). */
    private static void assertClose(Tensor expected, Tensor actual, int[][] mask, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        int width = expected.dim(2);
        int seq = expected.dim(1);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            int tok = i / width;
            if (mask != null && mask[tok / seq][tok % seq] == 0) {
                continue;
            }
            if (!(Math.abs(e[i] - a[i]) <= ATOL)) {
                throw new AssertionError(what + ": element " + i + " cpu " + e[i] + ", onnxruntime " + a[i]);
            }
        }
    }

    private static LoadOptions ortWith(BitsAndBytesConfig bnb) {
        return LoadOptions.builder().backend("onnxruntime").device("cpu").quantizationConfig(bnb).build();
    }

    private static int[][] ints(SafetensorsCheckpoint ckpt, String key) {
        Tensor t = ckpt.tensor(key);
        long[] flat = t.toLongArray();
        int[][] out = new int[t.dim(0)][t.dim(1)];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = (int) flat[r * out[r].length + c];
            }
        }
        return out;
    }

    private static int[][] rows(JsonNode node) {
        int[][] out = new int[node.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = new int[node.get(r).size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = node.get(r).get(c).asInt();
            }
        }
        return out;
    }
}
