package dev.tune4j.backend.cpu;

import java.util.ArrayList;
import java.util.List;

/** The kernel sets a test runs against: the scalar ones always, the SIMD ones (both tile heights) when present. */
final class Kernels {
    private Kernels() {}

    static List<BlockedGemm> all() {
        List<BlockedGemm> out = new ArrayList<>();
        out.add(ScalarKernels.INSTANCE);
        if (CpuFeatures.vectorEnabled()) {
            out.add(VectorKernelsHolder.create(8));
            out.add(VectorKernelsHolder.create(4));
        }
        return out;
    }
}
