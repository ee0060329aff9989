package dev.tune4j.benchmarks.matmul;

import dev.tune4j.tensor.Tensor;

/**
 * The baseline every matmul benchmark is measured against: textbook triple loops on one thread,
 * no blocking, no SIMD, the inner loop along k with unit stride where the layout allows.
 */
public final class NaiveGemm {
    private NaiveGemm() {}

    /** {@code y[m, n] = x[m, k] * W[n, k]^T}; segment weights are widened one row at a time. */
    public static void linear(float[] x, int m, int k, Tensor w, float[] y) {
        int n = w.dim(0);
        float[] row = new float[k];
        for (int j = 0; j < n; j++) {
            float[] src;
            int off;
            if (w.isHeapF32()) {
                src = w.data();
                off = j * k;
            } else {
                for (int p = 0; p < k; p++) {
                    row[p] = w.getFloat((long) j * k + p);
                }
                src = row;
                off = 0;
            }
            for (int i = 0; i < m; i++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc += x[i * k + p] * src[off + p];
                }
                y[i * n + j] = acc;
            }
        }
    }

    /** {@code C = op(A) * op(B)}, row-major, dense leading dimensions. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    acc += av * bv;
                }
                c[i * n + j] = acc;
            }
        }
    }
}
