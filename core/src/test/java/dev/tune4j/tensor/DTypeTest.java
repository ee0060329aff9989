package dev.tune4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DTypeTest {
    private static short bf16(float f) {
        return DType.floatToBf16(f);
    }

    @Test
    void bf16RoundsToNearestEvenLikeTorch() {
        // 1 + 2^-8 lies exactly between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties to even.
        assertEquals((short) 0x3F80, bf16(Float.intBitsToFloat(0x3F808000)));
        // 0x3F818000 lies between 0x3F81 and 0x3F82: the even one is 0x3F82.
        assertEquals((short) 0x3F82, bf16(Float.intBitsToFloat(0x3F818000)));
        // Just above the midpoint rounds up, just below rounds down.
        assertEquals((short) 0x3F81, bf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x3F80, bf16(Float.intBitsToFloat(0x3F807FFF)));
        // Overflow past the largest bf16 goes to infinity, as in torch.
        assertEquals((short) 0x7F80, bf16(Float.intBitsToFloat(0x7F7FFFFF)));
        assertEquals((short) 0x7F80, bf16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xFF80, bf16(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(DType.bf16ToFloat(bf16(Float.NaN))));
        assertEquals((short) 0x8000, bf16(-0.0f));
    }

    @Test
    void bf16ToFloatIsExact() {
        assertEquals(1.0f, DType.bf16ToFloat((short) 0x3F80));
        assertEquals(-2.0f, DType.bf16ToFloat((short) 0xC000));
        assertEquals(1.0078125f, DType.bf16ToFloat((short) 0x3F81));
    }

    @Test
    void f16MatchesIeeeHalf() {
        assertEquals(65504f, DType.f16ToFloat((short) 0x7BFF));            // largest half
        assertEquals((float) Math.pow(2, -24), DType.f16ToFloat((short) 0x0001)); // smallest subnormal
        assertEquals((short) 0x3C00, DType.floatToF16(1f));
        assertEquals((short) 0x7C00, DType.floatToF16(65520f));            // rounds past max to inf
    }

    @Test
    void namesParseBothWays() {
        for (DType d : DType.values()) {
            assertEquals(d, DType.fromSafetensors(d.safetensorsName()));
        }
        assertEquals(DType.BF16, DType.fromTorchName("torch.bfloat16"));
        assertEquals(DType.F16, DType.fromTorchName("float16"));
        var e = assertThrows(IllegalArgumentException.class, () -> DType.fromSafetensors("F12"));
        assertTrue(e.getMessage().contains("F12"));
    }

    @Test
    void tensorConversionsRoundTrip() {
        float[] v = {0f, 1f, -2.5f, 3.140625f, 65280f};           // all exactly representable in bf16 and f16
        Tensor t = Tensor.of(v, 5);
        assertArrayEquals(v, t.to(DType.BF16).toFloatArray());
        assertArrayEquals(v, t.to(DType.F16).toFloatArray());
        assertEquals(65536f, Tensor.of(new float[] {65504f}, 1).to(DType.BF16).getFloat(0)); // f16 max rounds up in bf16
        Tensor ids = Tensor.ofLongs(new int[][] {{1, 2}, {3, 4}});
        assertArrayEquals(new long[] {1, 2, 3, 4}, ids.toLongArray());
        assertEquals(DType.I64, ids.dtype());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[3], 2, 2));
        assertArrayEquals(new int[] {4, 1}, Tensor.of(new float[4], 2, 2).reshape(-1, 1).shape());
    }

    @Test
    void fp8DecodesOcpFormats() {
        // E4M3FN: 0x38 = 2^(7-7) * 1.0 = 1.0; 0x7E = 448 (largest); 0x7F = NaN; 0x01 = 2^-9.
        assertEquals(1.0f, Fp8.e4m3ToFloat((byte) 0x38));
        assertEquals(448f, Fp8.e4m3ToFloat((byte) 0x7E));
        assertTrue(Float.isNaN(Fp8.e4m3ToFloat((byte) 0x7F)));
        assertEquals((float) Math.pow(2, -9), Fp8.e4m3ToFloat((byte) 0x01));
        // E5M2: 0x3C = 1.0; 0x7C = +inf; 0x7B = 57344 (largest finite).
        assertEquals(1.0f, Fp8.e5m2ToFloat((byte) 0x3C));
        assertEquals(Float.POSITIVE_INFINITY, Fp8.e5m2ToFloat((byte) 0x7C));
        assertEquals(57344f, Fp8.e5m2ToFloat((byte) 0x7B));
    }
}
