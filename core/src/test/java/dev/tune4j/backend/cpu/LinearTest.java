package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Linear products with weights of every float storage, against a double reference that widens
 * half-precision weights with the exact conversions ({@code Float.float16ToFloat}, bits << 16).
 */
class LinearTest {
    /** Where the weight lives; native memory of a confined arena may only be read by its owner thread. */
    enum Storage { HEAP_F32, SEGMENT_F32, SEGMENT_F16, SEGMENT_BF16, SHARED_NATIVE_BF16, CONFINED_NATIVE_F32 }

    /** A weight [n, k] in the given storage, plus the exact float values it holds. */
    record Weight(Tensor tensor, float[] values) {}

    static Weight weight(Storage storage, Random rnd, int n, int k, Arena arena) {
        float[] raw = Reference.random(rnd, n * k);
        float[] values = new float[n * k];
        if (storage == Storage.HEAP_F32) {
            return new Weight(Tensor.of(raw.clone(), n, k), raw);
        }
        DType dt = switch (storage) {
            case SEGMENT_F32, CONFINED_NATIVE_F32 -> DType.F32;
            case SEGMENT_F16 -> DType.F16;
            default -> DType.BF16;
        };
        boolean nativeMemory = storage == Storage.SHARED_NATIVE_BF16 || storage == Storage.CONFINED_NATIVE_F32;
        MemorySegment seg = nativeMemory
                ? arena.allocate((long) n * k * dt.byteSize(), 64)
                : MemorySegment.ofArray(new byte[n * k * dt.byteSize()]);
        for (int i = 0; i < n * k; i++) {
            switch (dt) {
                case F32 -> {
                    seg.setAtIndex(Tensor.LE_FLOAT, i, raw[i]);
                    values[i] = raw[i];
                }
                case F16 -> {
                    short h = Float.floatToFloat16(raw[i]);
                    seg.setAtIndex(Tensor.LE_SHORT, i, h);
                    values[i] = Float.float16ToFloat(h);
                }
                default -> {
                    short h = (short) (Float.floatToRawIntBits(raw[i]) >>> 16); // truncation: any bf16 bits will do
                    seg.setAtIndex(Tensor.LE_SHORT, i, h);
                    values[i] = Float.intBitsToFloat((h & 0xFFFF) << 16);
                }
            }
        }
        return new Weight(Tensor.wrap(seg, dt, n, k), values);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (BlockedGemm kernels : Kernels.all()) {
            for (Storage s : Storage.values()) {
                out.add(Arguments.of(kernels.getClass().getSimpleName() + " " + kernels.mr + "x" + kernels.nr, kernels, s));
            }
        }
        return out.stream();
    }

    private static void check(BlockedGemm kernels, Storage storage, Random rnd, int m, int n, int k) {
        try (Arena arena = storage == Storage.SHARED_NATIVE_BF16 ? Arena.ofShared() : Arena.ofConfined()) {
            Weight w = weight(storage, rnd, n, k, arena);
            int xOff = rnd.nextInt(3);
            int yOff = rnd.nextInt(3);
            float[] x = Reference.random(rnd, xOff + m * k);
            float[] y = Reference.random(rnd, yOff + m * n);
            Reference.Product want = Reference.sgemm(false, true, m, n, k, 1f, x, xOff, k, w.values(), 0, k, 0f, y, yOff, n);
            MatrixB b = w.tensor().isHeapF32()
                    ? MatrixB.heap(w.tensor().data(), 0, k, true)
                    : MatrixB.weight(w.tensor().segment(), w.tensor().dtype(), k);
            kernels.gemm(false, m, n, k, 1f, x, xOff, k, b, 0f, y, yOff, n);
            String bad = Reference.mismatch(want, y, yOff, n, m, n);
            assertNull(bad, () -> storage + " m=" + m + " n=" + n + " k=" + k + ": " + bad);
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void everyStorageMatchesTheReference(String name, BlockedGemm kernels, Storage storage) {
        Random rnd = new Random(storage.ordinal() * 31 + 7);
        int[][] shapes = {
            {1, 1, 1}, {1, 37, 19}, {1, 300, 1000}, {2, 65, 33}, {3, 129, 255}, {4, 200, 512},
            {5, 70, 81}, {17, 33, 300}, {64, 260, 257}, {9, 1100, 40}
        };
        for (int[] s : shapes) {
            check(kernels, storage, rnd, s[0], s[1], s[2]);
        }
    }

    @Test
    void publicEntryPointHandlesEveryDtype() {
        Random rnd = new Random(9);
        for (Storage storage : Storage.values()) {
            try (Arena arena = storage == Storage.SHARED_NATIVE_BF16 ? Arena.ofShared() : Arena.ofConfined()) {
                int m = 3, n = 50, k = 70;
                Weight w = weight(storage, rnd, n, k, arena);
                float[] x = Reference.random(rnd, m * k);
                float[] y = new float[m * n];
                Gemm.linear(x, 0, m, k, w.tensor(), y, 0);
                Reference.Product want = Reference.sgemm(false, true, m, n, k, 1f, x, 0, k, w.values(), 0, k, 0f, y, 0, n);
                assertNull(Reference.mismatch(want, y, 0, n, m, n), storage.toString());
            }
        }
    }

    @Test
    void rejectsMismatchedWeights() {
        Tensor w = Tensor.zeros(4, 6);
        var e = assertThrows(IllegalArgumentException.class, () -> Gemm.linear(new float[10], 0, 2, 5, w, new float[8], 0));
        assertTrue(e.getMessage().contains("width 5"), e.getMessage());
        Tensor ints = Tensor.wrap(MemorySegment.ofArray(new byte[4 * 6 * 4]), DType.I32, 4, 6);
        e = assertThrows(IllegalArgumentException.class, () -> Gemm.linear(new float[12], 0, 2, 6, ints, new float[8], 0));
        assertTrue(e.getMessage().contains("I32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gemm.linear(new float[11], 0, 2, 6, w, new float[8], 0));
    }
}
