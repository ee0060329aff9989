package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Row widening of every one of the 65536 half-precision bit patterns, against the JDK's exact conversions. */
class HalfConversionTest {
    private static MemorySegment allPatterns() {
        MemorySegment seg = MemorySegment.ofArray(new byte[2 * 65536 + 6]);
        for (int i = 0; i < 65536; i++) {
            seg.set(Tensor.LE_SHORT, 6 + 2L * i, (short) i); // odd start: unaligned reads must work
        }
        return seg;
    }

    private static void check(BlockedGemm kernels, DType dtype) {
        MemorySegment seg = allPatterns();
        float[] out = new float[65536 - 3];
        kernels.convertRow(seg, dtype, 6, out, out.length, new BlockedGemm.Scratch());
        for (int i = 0; i < out.length; i++) {
            float want = dtype == DType.F16 ? Float.float16ToFloat((short) i) : Float.intBitsToFloat(i << 16);
            if (Float.isNaN(want)) {
                assertEquals(true, Float.isNaN(out[i]), "pattern " + Integer.toHexString(i));
            } else {
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]),
                        dtype + " pattern 0x" + Integer.toHexString(i) + ": " + want + " vs " + out[i]);
            }
        }
    }

    @Test
    void everyHalfAndBfloatPatternWidensExactly() {
        for (BlockedGemm kernels : Kernels.all()) {
            check(kernels, DType.F16);
            check(kernels, DType.BF16);
        }
    }
}
