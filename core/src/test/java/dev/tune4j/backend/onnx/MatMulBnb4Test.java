package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the MatMulBnb4 lowering accepts (ORT's kernels: CPU block sizes 16..256, CUDA multiples of
 * 16, the built-in NF4/FP4 tables) and the {@link Bnb4Weight} contract (packed size, scales
 * computed once).
 */
class MatMulBnb4Test {
    /** bitsandbytes' FP4 table as bitsandbytes builds it: raw values over 12, with +0 at index 8. */
    private static final float[] BNB_FP4 = fp4();

    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    private static float[] fp4() {
        float[] raw = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f, 0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f};
        float[] t = new float[16];
        for (int i = 0; i < 16; i++) {
            t[i] = raw[i] / 12f;
        }
        return t;
    }

    private static Bnb4Weight weight(String type, int blocksize, int out, int in, float[] map, float[] absmax) {
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(new byte[(out * in + 1) / 2]), DType.U8, (out * in + 1) / 2, 1);
        return new Bnb4Weight(packed, type, blocksize, out, in, map, () -> absmax);
    }

    @Test
    void cpuTakesTheBlockSizesItsKernelIsBuiltFor() {
        for (int b : new int[] {16, 32, 64, 128, 256}) {
            assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "w", false));
        }
        for (int b : new int[] {512, 1024, 4096}) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "model.layers.0.mlp.up_proj.weight", false));
            assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight") && e.getMessage().contains("blocksize " + b),
                    e.getMessage());
            // The CUDA kernels read 16 codes under one scale: every bitsandbytes block size qualifies.
            assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "w", true));
        }
        assertThrows(UnsupportedOperationException.class,
                () -> MatMulBnb4.check(weight("nf4", 24, 8, 64, NF4, null), "w", true));
    }

    @Test
    void bitsandbytesTablesAreOrtsTablesAndOthersAreRefused() {
        assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", 64, 8, 64, NF4, null), "w", false));
        assertDoesNotThrow(() -> MatMulBnb4.check(weight("fp4", 64, 8, 64, BNB_FP4, null), "w", false));
        assertEquals(1, MatMulBnb4.quantType("nf4"));
        assertEquals(0, MatMulBnb4.quantType("fp4"));
        // The NF4 table under quant_type fp4 is not ORT's FP4 table.
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> MatMulBnb4.check(weight("fp4", 64, 8, 64, NF4, null), "w", false));
        assertTrue(e.getMessage().contains("quant_map[0] = -1.0"), e.getMessage());
    }

    @Test
    void scalesAreComputedOnceAndChecked() {
        AtomicInteger calls = new AtomicInteger();
        float[] scales = new float[3];   // 8 x 20 = 160 elements in blocks of 64
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(new byte[80]), DType.U8, 80, 1);
        Bnb4Weight w = new Bnb4Weight(packed, "nf4", 64, 8, 20, NF4, () -> {
            calls.incrementAndGet();
            return scales;
        });
        assertEquals(0, calls.get(), "nothing is computed until a backend asks");
        assertSame(scales, w.absmax());
        assertSame(scales, w.absmax());
        assertEquals(1, calls.get());

        Bnb4Weight wrong = weight("nf4", 64, 8, 20, NF4, new float[2]);
        IllegalStateException e = assertThrows(IllegalStateException.class, wrong::absmax);
        assertTrue(e.getMessage().contains("needs 3 absmax values, found 2"), e.getMessage());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Bnb4Weight(
                Tensor.wrap(MemorySegment.ofArray(new byte[79]), DType.U8, 79), "nf4", 64, 8, 20, NF4, () -> scales));
        assertTrue(bad.getMessage().contains("should be 80 U8 bytes"), bad.getMessage());
    }
}
