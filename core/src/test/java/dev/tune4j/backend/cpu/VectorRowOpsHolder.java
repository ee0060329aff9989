package dev.tune4j.backend.cpu;

/** Creates the SIMD row kernels; only called when the Vector API module is present. */
final class VectorRowOpsHolder {
    private VectorRowOpsHolder() {}

    static RowOps create() {
        return new VectorRowOps();
    }
}
