package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.Tensor;

/**
 * Single-precision matrix products on the CPU.
 *
 * <p>Reference implementation with plain loops; the cache-blocked, vectorised kernels replace
 * these bodies behind the same signatures.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, all row-major with leading dimensions, where
     * op(A) is [m, k] and op(B) is [k, n]. With {@code transA} A is stored [k, m]; with
     * {@code transB} B is stored [n, k].
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = alpha * acc + (beta == 0f ? 0f : beta * c[ci]);
            }
        }
    }

    /**
     * The Linear product {@code y[m, n] = x[m, k] * W[n, k]^T}, W in torch's [out, in] layout and
     * any float dtype (F32 heap, or F32 / F16 / BF16 segment). {@code y} is overwritten.
     */
    public static void linear(float[] x, int xOff, int m, int k, Tensor w, float[] y, int yOff) {
        int n = w.dim(0);
        if (w.dim(1) != k) {
            throw new IllegalArgumentException("weight " + w + " does not take inputs of width " + k);
        }
        if (w.isHeapF32()) {
            sgemm(false, true, m, n, k, 1f, x, xOff, k, w.data(), 0, k, 0f, y, yOff, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float acc = 0f;
                long row = (long) j * k;
                for (int p = 0; p < k; p++) {
                    acc += x[xOff + i * k + p] * w.getFloat(row + p);
                }
                y[yOff + i * n + j] = acc;
            }
        }
    }
}
