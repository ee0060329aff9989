package dev.tune4j.quant;

import static dev.tune4j.quant.CodeTablesTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Re-quantizes the float32 llama_tiny weights and compares every stored tensor of the
 * transformers-written bnb-4bit checkpoint (NF4, double quant, blocksize 64) byte for byte.
 */
class LlamaTinyBnb4Test {
    private static final String[] SUFFIXES = {
        "weight", "weight.absmax", "weight.quant_map", "weight.nested_absmax", "weight.nested_quant_map",
        "weight.quant_state.bitsandbytes__nf4",
    };

    @Test
    void requantizedLayersEqualTheCheckpointBytes() throws Exception {
        GoldenTensors source = GoldenTensors.open(SharedData.require("golden/llama_tiny/model.safetensors"));
        Path dir = SharedData.require("golden/bnb4/llama_tiny_bnb4");
        GoldenTensors bnb = GoldenTensors.open(dir.resolve("model.safetensors"));
        GoldenTensors expected = GoldenTensors.open(dir.resolve("expected.safetensors"));

        List<String> modules = new ArrayList<>();
        for (String key : bnb.keys()) {
            if (key.endsWith(".weight.quant_state.bitsandbytes__nf4")) {
                modules.add(key.substring(0, key.length() - ".weight.quant_state.bitsandbytes__nf4".length()));
            }
        }
        assertEquals(14, modules.size(), "quantized Linear modules");
        assertEquals(91, bnb.keys().size());

        Set<String> seen = new TreeSet<>();
        long storedBytes = 0;
        long params = 0;
        for (String p : modules) {
            assertTrue(p.startsWith("model.layers."), p);
            for (String suffix : SUFFIXES) {
                assertTrue(bnb.has(p + "." + suffix), "missing " + p + "." + suffix);
                seen.add(p + "." + suffix);
            }
            float[] w = source.floats(p + ".weight");
            int[] shape = source.shape(p + ".weight");
            QuantState s = Functional.quantize4bit(w, shape, DType.F32, 64, "nf4", true);

            assertArrayEquals(bnb.bytes(p + ".weight"), s.packed(), p + ".weight");
            assertEquals("U8", bnb.dtype(p + ".weight"));
            assertArrayEquals(bnb.shape(p + ".weight"), s.packedTensor().shape(), p + ".weight shape");
            Map<String, Tensor> dict = s.asDict();
            assertEquals(Set.of("absmax", "quant_map", "nested_absmax", "nested_quant_map",
                    "quant_state.bitsandbytes__nf4"), dict.keySet());
            for (Map.Entry<String, Tensor> e : dict.entrySet()) {
                String key = p + ".weight." + e.getKey();
                assertArrayEquals(bnb.bytes(key), GoldenCasesTest.bytesOf(e.getValue()), key);
                assertEquals(bnb.dtype(key), e.getValue().dtype().safetensorsName(), key + " dtype");
                assertArrayEquals(bnb.shape(key), e.getValue().shape(), key + " shape");
            }

            // Loading the stored tensors back gives the golden dequantized weight, bit for bit.
            Map<String, Tensor> stats = new LinkedHashMap<>();
            stats.put("absmax", GoldenCasesTest.u8(bnb.bytes(p + ".weight.absmax")));
            stats.put("quant_map", GoldenCasesTest.f32(bnb.floats(p + ".weight.quant_map")));
            stats.put("nested_absmax", GoldenCasesTest.f32(bnb.floats(p + ".weight.nested_absmax")));
            stats.put("nested_quant_map", GoldenCasesTest.f32(bnb.floats(p + ".weight.nested_quant_map")));
            stats.put("quant_state.bitsandbytes__nf4", GoldenCasesTest.u8(bnb.bytes(p + ".weight.quant_state.bitsandbytes__nf4")));
            QuantState loaded = QuantState.fromDict(GoldenCasesTest.u8(bnb.bytes(p + ".weight")), stats);
            assertEquals(s, loaded);
            assertArrayEquals(shape, loaded.shape());
            assertBits(expected.floats("dequantized/" + p + ".weight"), Functional.dequantize4bit(loaded));

            storedBytes += s.storageBytes();
            params += s.numel();
        }
        // Everything else is stored unquantized (embeddings, norms, lm_head).
        for (String key : bnb.keys()) {
            if (!seen.contains(key)) {
                assertEquals("F32", bnb.dtype(key), key);
                assertArrayEquals(source.bytes(key), bnb.bytes(key), key);
            }
        }
        // golden/bnb4/README.md section 7: with the per-tensor constants these tiny layers take 5.65 bits/param.
        assertEquals(5.65, 8.0 * storedBytes / params, 0.005);
    }
}
