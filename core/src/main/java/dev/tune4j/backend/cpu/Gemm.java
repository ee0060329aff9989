package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;

/**
 * Single-precision matrix products on the CPU, the hot path of the pure-Java backend.
 *
 * <p>Cache-blocked and register-tiled (see {@code BlockedGemm}), SIMD through the Vector API when
 * {@link CpuFeatures#vectorEnabled()} and plain loops otherwise, split over the cores with
 * {@link Parallel}. Left operands of at most four rows (decode) take matrix-vector kernels that
 * stream B once. Sums are accumulated in float32 in a blocked order, so results differ from a
 * sequential sum by rounding only.
 */
public final class Gemm {
    private static final BlockedGemm KERNELS = CpuFeatures.vectorEnabled() ? vectorKernels() : ScalarKernels.INSTANCE;

    private Gemm() {}

    /** Loaded only on the vector path: the class refers to {@code jdk.incubator.vector}. */
    private static BlockedGemm vectorKernels() {
        return new VectorKernels();
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, all row-major with leading dimensions, where
     * op(A) is [m, k] and op(B) is [k, n]. With {@code transA} A is stored [k, m]; with
     * {@code transB} B is stored [n, k]. When {@code beta} is 0, C is only written (BLAS
     * semantics: NaN or garbage in C does not leak into the result).
     *
     * <pre>{@code
     * // torch: c = a @ b.T           (a [m, k], b [n, k])
     * Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
     * }</pre>
     *
     * @throws IllegalArgumentException when a dimension is negative, a leading dimension is
     *     smaller than its row, or an array is too short for the shape
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k, m > 0 && n > 0);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n, m > 0 && n > 0);
        checkMatrix("C", c, cOff, ldc, m, n, true);
        KERNELS.gemm(transA, m, n, k, alpha, a, aOff, lda, MatrixB.heap(b, bOff, ldb, transB), beta, c, cOff, ldc);
    }

    /**
     * The Linear product {@code y[m, n] = x[m, k] * W[n, k]^T}, W in torch's [out, in] layout and
     * any float dtype (F32 heap, or F32 / F16 / BF16 segment, typically memory-mapped). Half
     * precision weights are widened to float32 exactly; products and sums are float32.
     * {@code y} is overwritten.
     *
     * <pre>{@code
     * // torch: y = torch.nn.functional.linear(x, w)
     * Gemm.linear(x, 0, tokens, hidden, w, y, 0);
     * }</pre>
     *
     * @throws IllegalArgumentException when W is not a 2-d float tensor of F32 / F16 / BF16 whose
     *     second dimension is {@code k}, or x / y are too short
     */
    public static void linear(float[] x, int xOff, int m, int k, Tensor w, float[] y, int yOff) {
        if (w.rank() != 2 || w.dim(1) != k) {
            throw new IllegalArgumentException("linear: weight " + w + " does not take inputs of width " + k
                    + " (expected shape [out, " + k + "])");
        }
        if (m < 0) {
            throw new IllegalArgumentException("linear: negative row count " + m);
        }
        int n = w.dim(0);
        checkMatrix("x", x, xOff, k, m, k, n > 0);
        checkMatrix("y", y, yOff, n, m, n, true);
        if (w.isHeapF32()) {
            KERNELS.gemm(false, m, n, k, 1f, x, xOff, k, MatrixB.heap(w.data(), 0, k, true), 0f, y, yOff, n);
            return;
        }
        DType dt = w.dtype();
        if (dt != DType.F32 && dt != DType.F16 && dt != DType.BF16) {
            throw new IllegalArgumentException("linear: weight " + w + " has dtype " + dt
                    + "; expected F32, F16 or BF16 (dequantize other formats first)");
        }
        KERNELS.gemm(false, m, n, k, 1f, x, xOff, k, MatrixB.weight(w.segment(), dt, k), 0f, y, yOff, n);
    }

    /** True when the kernels in use are the SIMD ones. */
    static boolean vectorKernelsInUse() {
        return !(KERNELS instanceof ScalarKernels);
    }

    private static void checkMatrix(String name, float[] arr, int off, int ld, int rows, int cols, boolean read) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld
                    + " but its rows hold " + cols + " values");
        }
        if (!read || rows == 0 || cols == 0) {
            return;
        }
        if (arr == null) {
            throw new IllegalArgumentException("sgemm: " + name + " is null");
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > arr.length) {
            throw new IllegalArgumentException("sgemm: " + name + " of " + rows + " x " + cols + " at offset " + off
                    + " with leading dimension " + ld + " needs " + last + " values but the array has " + arr.length);
        }
    }
}
