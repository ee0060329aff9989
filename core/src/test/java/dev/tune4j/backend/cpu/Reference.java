package dev.tune4j.backend.cpu;

import java.util.Random;

/**
 * Double-precision naive matrix products and the error bound a float32 sum must meet: the
 * independent expectation every kernel test compares with.
 */
final class Reference {
    static final double EPS = Math.ulp(1f);

    private Reference() {}

    /** The exact-ish result (double) of alpha * op(A) * op(B) + beta * C0, and its error bound. */
    static final class Product {
        final double[] value;
        final double[] bound;

        Product(int size) {
            value = new double[size];
            bound = new double[size];
        }
    }

    /**
     * Naive triple loop in double. The bound for each element is
     * {@code 3 * (sqrt(k) + 2) * eps * (|alpha| * sum_p |a_ip| |b_pj| + |beta * c0|)} plus a tiny
     * absolute floor: a float32 sum of k terms in blocked order stays well inside it, while any
     * wrong index or missing term breaks it.
     */
    static Product sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c0, int cOff, int ldc) {
        Product out = new Product(m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                    abs += Math.abs(av * bv);
                }
                double old = beta == 0f ? 0 : (double) beta * c0[cOff + i * ldc + j];
                out.value[i * n + j] = alpha * acc + old;
                out.bound[i * n + j] = 3 * (Math.sqrt(k) + 2) * EPS * (Math.abs(alpha) * abs + Math.abs(old)) + 1e-30;
            }
        }
        return out;
    }

    /** Uniform values in [-1, 1). */
    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** Describes the first element of C (row-major with ldc) outside the bound, or null. */
    static String mismatch(Product expected, float[] c, int cOff, int ldc, int m, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = expected.value[i * n + j];
                float got = c[cOff + i * ldc + j];
                double err = Math.abs(got - want);
                if (!(err <= expected.bound[i * n + j])) {
                    return "C[" + i + "," + j + "] = " + got + ", expected " + want + " (error " + err
                            + " > bound " + expected.bound[i * n + j] + ")";
                }
            }
        }
        return null;
    }
}
