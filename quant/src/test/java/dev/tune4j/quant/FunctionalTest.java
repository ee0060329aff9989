package dev.tune4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionalTest {

    @Test
    void doubleQuantAtBlocksize64CostsFourPoint127BitsPerParameter() {
        // A 4096x4096 layer: n = 16,777,216 codes of 4 bits = 67,108,864 bits;
        // n / 64 = 262,144 blocks, one uint8 code each = 2,097,152 bits;
        // 262,144 / 256 = 1,024 nested blocks, one float32 each = 32,768 bits.
        // (67,108,864 + 2,097,152 + 32,768) / 16,777,216 = 4 + 0.125 + 0.001953125 = 4.126953125.
        double bits = Functional.bitsPerParameter(4096L * 4096, 64, true);
        assertEquals(4.126953125, bits, 0.0);
        assertEquals("4.127", String.format(java.util.Locale.ROOT, "%.3f", bits));
        // Without double quant one float32 per 64 values: 4 + 32/64 = 4.5.
        assertEquals(4.5, Functional.bitsPerParameter(4096L * 4096, 64, false), 0.0);
        // The saving the QLoRA paper quotes: 0.5 - 0.126953125 = 0.373 bit per parameter.
        assertEquals(0.373046875, 4.5 - bits, 0.0);
        // A 64x64 layer cannot amortise its partial nested block: 4 + (8*64 + 32)/4096.
        QuantState small = Functional.quantize4bit(new float[4096], new int[] {64, 64}, DType.F32, 64, "nf4", true);
        assertEquals(4 + (8.0 * 64 + 32) / 4096, small.bitsPerParameter(), 0.0);
    }

    @Test
    void pythonFloatRepr() {
        assertEquals("0.1287006437778473", dev.tune4j.io.PythonJson.floatRepr((double) 0.1287006437778473f));
        assertEquals("2.5405885025975294e-05", dev.tune4j.io.PythonJson.floatRepr(2.5405885025975294e-05));
        assertEquals("6.0", dev.tune4j.io.PythonJson.floatRepr(6.0));
        assertEquals("0.0001", dev.tune4j.io.PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", dev.tune4j.io.PythonJson.floatRepr(1e-5));
        assertEquals("-1.5e-07", dev.tune4j.io.PythonJson.floatRepr(-1.5e-7));
        assertEquals("1234567890123456.0", dev.tune4j.io.PythonJson.floatRepr(1234567890123456.0));
        assertEquals("1e+16", dev.tune4j.io.PythonJson.floatRepr(1e16));
        assertEquals("1.2345e+20", dev.tune4j.io.PythonJson.floatRepr(1.2345e20));
        assertEquals("100.0", dev.tune4j.io.PythonJson.floatRepr(100.0));
        assertEquals("-0.0", dev.tune4j.io.PythonJson.floatRepr(-0.0));
        assertEquals("0.5", dev.tune4j.io.PythonJson.floatRepr(0.5));
        assertEquals("1e+23", dev.tune4j.io.PythonJson.floatRepr(1e23));
        assertEquals("5e-324", dev.tune4j.io.PythonJson.floatRepr(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", dev.tune4j.io.PythonJson.floatRepr(Double.MAX_VALUE));
        // Expected strings printed by CPython 3 repr() for these exact doubles (mostly float32 values).
        assertEquals("3.2383275394814306e-31", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x399a45be40000000L)));
        assertEquals("1.50849180369228e-10", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3de4bb88a0000000L)));
        assertEquals("6.509344530059025e-06", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3edb4d5b00000000L)));
        assertEquals("7.243628715514205e-06", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3ede61c980000000L)));
        assertEquals("0.053588200360536575", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3fab6fe9a0000000L)));
        assertEquals("0.36568892002105713", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3fd7677280000000L)));
        assertEquals("57.998924255371094", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x404cffdcc0000000L)));
        assertEquals("507435722735616.0", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x42fcd82960000000L)));
        assertEquals("374956584075264.0", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x42f5505620000000L)));
        assertEquals("4.33645668007936e+16", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x436341fb00000000L)));
        assertEquals("6.9855422025556395e+28", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x45ec36e1a0000000L)));
        assertEquals("0.30000000000000004", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x3fd3333333333334L)));
        assertEquals("1e+22", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x4480f0cf064dd592L)));
        assertEquals("123456789.0", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x419d6f3454000000L)));
        assertEquals("1.5e-323", dev.tune4j.io.PythonJson.floatRepr(Double.longBitsToDouble(0x0000000000000003L)));
    }

    @Test
    void pythonJsonLayout() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", java.util.List.of("x", "é"));
        m.put("b", java.util.List.of());
        m.put("c", null);
        assertEquals("{\"a\": [\"x\", \"\\u00e9\"], \"b\": [], \"c\": null}", dev.tune4j.io.PythonJson.dumps(m, -1, false));
        assertEquals("{\n  \"a\": [\n    \"x\",\n    \"\\u00e9\"\n  ],\n  \"b\": [],\n  \"c\": null\n}", dev.tune4j.io.PythonJson.dumps(m, 2, false));
    }

    @Test
    void oddLengthPadsWithTheCodeOfZero() {
        float[] x = {0.5f, -1f, 1f};
        QuantState nf4 = Functional.quantize4bit(x, 64, "nf4", false);
        assertEquals(7, nf4.packed()[1] & 0x0F);
        QuantState fp4 = Functional.quantize4bit(x, 64, "fp4", false);
        assertEquals(0, fp4.packed()[1] & 0x0F);
        assertEquals(3, Functional.dequantize4bit(nf4).length);
    }

    @Test
    void defaultsAreBitsandbytes() {
        QuantState s = Functional.quantize4bit(new float[] {0.5f, -0.25f, 1f});
        assertEquals("{\"quant_type\": \"fp4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [3]}",
                s.quantStateJson());
        assertEquals(4096, Functional.quantizeBlockwise(new float[10]).blocksize());
    }

    @Test
    void tensorInputRecordsDtypeAndShape() {
        float[] v = new float[128];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i - 60) / 64f;
        }
        Tensor bf16 = Tensor.of(v, 4, 32).to(DType.BF16);
        QuantState s = Functional.quantize4bit(bf16, 64, "nf4", false);
        assertEquals("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [4, 32]}",
                s.quantStateJson());
    }

    @Test
    void badInputsAreRejectedClearly() {
        float[] x = new float[128];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.quantize4bit(x, 48, "nf4", false));
        assertTrue(e.getMessage().contains("48"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.quantize4bit(x, 64, "int4", false));
        assertTrue(e.getMessage().contains("int4"), e.getMessage());
        x[5] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> Functional.quantize4bit(x, 64, "nf4", false));
        assertTrue(e.getMessage().contains("element 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Functional.quantize4bit(new float[0], 64, "nf4", false));
        assertThrows(IllegalArgumentException.class, () -> Functional.quantizeBlockwise(new float[10], new float[16], 256));
    }

    @Test
    void fromDictRejectsUnknownAndMissingKeys() {
        QuantState s = Functional.quantize4bit(new float[] {1, 2, 3, 4}, 64, "nf4", true);
        Map<String, Tensor> dict = new LinkedHashMap<>(s.asDict());
        dict.put("bogus", dict.get("absmax"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantState.fromDict(s.packedTensor(), dict));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        dict.remove("bogus");
        dict.remove("nested_absmax");
        e = assertThrows(IllegalArgumentException.class, () -> QuantState.fromDict(s.packedTensor(), dict));
        assertTrue(e.getMessage().contains("nested_absmax"), e.getMessage());
        Map<String, Tensor> wrongJson = new LinkedHashMap<>(s.asDict());
        byte[] json = "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [4, 4]}"
                .getBytes(StandardCharsets.UTF_8);
        wrongJson.put("quant_state.bitsandbytes__nf4", Tensor.wrap(MemorySegment.ofArray(json), DType.U8, json.length));
        e = assertThrows(IllegalArgumentException.class, () -> QuantState.fromDict(s.packedTensor(), wrongJson));
        assertTrue(e.getMessage().contains("absmax"), e.getMessage());
    }
}
