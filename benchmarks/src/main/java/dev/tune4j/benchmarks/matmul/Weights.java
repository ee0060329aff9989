package dev.tune4j.benchmarks.matmul;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Random weights [n, k] in the storages the benchmarks compare. */
final class Weights {
    private Weights() {}

    /** {@code kind}: heap_f32, f32_segment, bf16_segment or f16_segment (segments off-heap, like a mapped file). */
    static Tensor create(String kind, int n, int k, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        if (kind.equals("heap_f32")) {
            float[] w = new float[n * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextDouble() * 0.2 - 0.1);
            }
            return Tensor.of(w, n, k);
        }
        DType dt = switch (kind) {
            case "f32_segment" -> DType.F32;
            case "bf16_segment" -> DType.BF16;
            case "f16_segment" -> DType.F16;
            default -> throw new IllegalArgumentException("unknown weight kind " + kind);
        };
        long count = (long) n * k;
        MemorySegment seg = arena.allocate(count * dt.byteSize(), 64);
        for (long i = 0; i < count; i++) {
            float v = (float) (rnd.nextDouble() * 0.2 - 0.1);
            switch (dt) {
                case F32 -> seg.setAtIndex(Tensor.LE_FLOAT, i, v);
                case BF16 -> seg.setAtIndex(Tensor.LE_SHORT, i, DType.floatToBf16(v));
                default -> seg.setAtIndex(Tensor.LE_SHORT, i, DType.floatToF16(v));
            }
        }
        return Tensor.wrap(seg, dt, n, k);
    }

    static float[] activations(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
