package dev.tune4j.backend.cpu;

/** Creates the SIMD kernels; only called when the Vector API module is present. */
final class VectorKernelsHolder {
    private VectorKernelsHolder() {}

    static BlockedGemm create(int tileRows) {
        return new VectorKernels(tileRows);
    }
}
