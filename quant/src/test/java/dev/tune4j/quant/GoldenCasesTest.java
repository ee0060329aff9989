package dev.tune4j.quant;

import static dev.tune4j.quant.CodeTablesTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of golden/bnb4/cases.json, bit for bit. */
class GoldenCasesTest {
    private static GoldenTensors tensors;
    private static JsonNode cases;

    private static synchronized void load() throws Exception {
        if (tensors == null) {
            Path dir = SharedData.require("golden/bnb4");
            tensors = GoldenTensors.open(dir.resolve("cases.safetensors"));
            cases = new ObjectMapper().readTree(dir.resolve("cases.json").toFile()).get("cases");
        }
    }

    static Stream<Arguments> cases(String kind) throws Exception {
        Path dir = SharedData.root() == null ? null : SharedData.root().resolve("golden/bnb4/cases.json");
        if (dir == null || !dir.toFile().exists()) {
            // Resolved again inside the test, which then skips (or fails under TUNE4J_REQUIRE_SHARED).
            return Stream.of(Arguments.of(Named.of("reference data absent", null)));
        }
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(dir.toFile()).get("cases")) {
            if (c.get("kind").asText().equals(kind)) {
                out.add(Arguments.of(Named.of(c.get("name").asText(), c.get("name").asText())));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> fourBit() throws Exception {
        return cases("4bit");
    }

    static Stream<Arguments> blockwise8() throws Exception {
        return cases("blockwise8");
    }

    static Stream<Arguments> meanProbes() throws Exception {
        return cases("mean_probe");
    }

    private static JsonNode caseNamed(String name) {
        for (JsonNode c : cases) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no case " + name);
    }

    @ParameterizedTest
    @MethodSource("fourBit")
    void quantize4bitMatchesEveryField(String name) throws Exception {
        load();
        JsonNode c = caseNamed(name);
        int[] shape = intArray(c.get("shape"));
        boolean dq = c.get("compress_statistics").asBoolean();
        QuantState s = Functional.quantize4bit(tensors.floats(name + "/input"), shape, DType.F32,
                c.get("blocksize").asInt(), c.get("quant_type").asText(), dq);

        assertArrayEquals(tensors.bytes(name + "/packed"), s.packed(), "packed");
        assertArrayEquals(new int[] {s.packed().length, 1}, tensors.shape(name + "/packed"));
        assertBits(tensors.floats(name + "/quant_map"), s.quantMap());
        if (dq) {
            assertNull(s.absmax());
            assertArrayEquals(tensors.bytes(name + "/absmax"), s.absmaxCodes(), "absmax codes");
            assertBits(tensors.floats(name + "/nested_absmax"), s.nestedAbsmax());
            assertBits(tensors.floats(name + "/nested_quant_map"), s.nestedQuantMap());
            assertBits(tensors.floats(name + "/offset"), new float[] {s.offset()});
            assertEquals(c.get("nested_offset").asDouble(), (double) s.offset(), 0.0);
        } else {
            assertBits(tensors.floats(name + "/absmax"), s.absmax());
            assertBits(tensors.floats(name + "/absmax_raw"), s.absmax());
        }
        assertBits(tensors.floats(name + "/absmax_dequantized"), s.dequantizedAbsmax());
        assertBits(tensors.floats(name + "/dequantized"), Functional.dequantize4bit(s));

        String json = c.get("quant_state_json").asText();
        assertEquals(json, s.quantStateJson());
        assertArrayEquals(tensors.bytes(name + "/quant_state"), s.quantStateJson().getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("fourBit")
    void dequantizeFromStoredTensorsAndReserialize(String name) throws Exception {
        load();
        JsonNode c = caseNamed(name);
        boolean dq = c.get("compress_statistics").asBoolean();
        String type = c.get("quant_type").asText();
        Map<String, Tensor> stats = new LinkedHashMap<>();
        stats.put("absmax", dq ? u8(tensors.bytes(name + "/absmax")) : f32(tensors.floats(name + "/absmax")));
        stats.put("quant_map", f32(tensors.floats(name + "/quant_map")));
        if (dq) {
            stats.put("nested_absmax", f32(tensors.floats(name + "/nested_absmax")));
            stats.put("nested_quant_map", f32(tensors.floats(name + "/nested_quant_map")));
        }
        stats.put("quant_state.bitsandbytes__" + type, u8(tensors.bytes(name + "/quant_state")));
        QuantState s = QuantState.fromDict(u8(tensors.bytes(name + "/packed")), stats);

        assertBits(tensors.floats(name + "/dequantized"), Functional.dequantize4bit(s));
        assertArrayEquals(tensors.bytes(name + "/quant_state"), s.quantStateJson().getBytes(StandardCharsets.UTF_8));
        // Both kernel implementations dequantize bit-identically, from any start.
        for (Kernels4bit k : KernelsTest.allKernels()) {
            float[] out = new float[(int) s.numel()];
            k.dequantize(s, 0, out.length, out, 0);
            assertBits(tensors.floats(name + "/dequantized"), out);
        }
        // asDict gives back the stored tensors.
        Map<String, Tensor> dict = s.asDict();
        assertEquals(stats.keySet(), dict.keySet());
        for (String k : stats.keySet()) {
            assertArrayEquals(bytesOf(stats.get(k)), bytesOf(dict.get(k)), k);
            assertEquals(stats.get(k).dtype(), dict.get(k).dtype(), k);
        }
    }

    @ParameterizedTest
    @MethodSource("blockwise8")
    void quantizeBlockwiseMatches(String name) throws Exception {
        load();
        JsonNode c = caseNamed(name);
        BlockwiseQuantState s = Functional.quantizeBlockwise(tensors.floats(name + "/input"), null,
                c.get("blocksize").asInt());
        assertArrayEquals(tensors.bytes(name + "/codes8"), s.codes(), "codes");
        assertBits(tensors.floats(name + "/absmax"), s.absmax());
        assertBits(tensors.floats(name + "/code"), s.code());
        assertBits(tensors.floats(name + "/dequantized"), Functional.dequantizeBlockwise(s));
        // An explicit code table gives the same result as the default one.
        BlockwiseQuantState explicit = Functional.quantizeBlockwise(tensors.floats(name + "/input"),
                tensors.floats(name + "/code"), c.get("blocksize").asInt());
        assertArrayEquals(s.codes(), explicit.codes());
        if (c.get("blocksize").asInt() == 4096) {
            // The case uses quantize_blockwise's default blocksize.
            assertArrayEquals(s.codes(), Functional.quantizeBlockwise(tensors.floats(name + "/input")).codes());
        }
    }

    @ParameterizedTest
    @MethodSource("meanProbes")
    void torchSumAndMeanMatch(String name) throws Exception {
        load();
        float[] x = tensors.floats(name + "/input");
        assertBits(tensors.floats(name + "/sum"), new float[] {TorchSum.sum(x)});
        assertBits(tensors.floats(name + "/mean"), new float[] {TorchSum.mean(x)});
    }

    private static int[] intArray(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static Tensor u8(byte[] b) {
        return Tensor.wrap(MemorySegment.ofArray(b), DType.U8, b.length);
    }

    static Tensor f32(float[] f) {
        return Tensor.of(f, f.length);
    }

    static byte[] bytesOf(Tensor t) {
        if (t.dtype() == DType.U8) {
            return t.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        float[] f = t.toFloatArray();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(f.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(f);
        return bb.array();
    }
}
