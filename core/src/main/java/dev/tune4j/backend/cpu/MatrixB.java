package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * The right-hand operand of a product, op(B) of shape [k, n]: either a heap float matrix
 * (row-major with leading dimension {@code ld}, stored [n, k] when {@code trans}) or a weight in
 * a little-endian segment, stored [n, k] as torch's Linear keeps it.
 */
record MatrixB(float[] array, int offset, int ld, boolean trans, MemorySegment segment, DType dtype) {

    static MatrixB heap(float[] b, int offset, int ld, boolean trans) {
        return new MatrixB(b, offset, ld, trans, null, DType.F32);
    }

    /** A [n, k] weight of F32, F16 or BF16 in a segment. */
    static MatrixB weight(MemorySegment segment, DType dtype, int k) {
        return new MatrixB(null, 0, k, true, segment, dtype);
    }

    boolean isHeap() {
        return array != null;
    }
}
