package dev.tune4j.backend.cpu;

/**
 * Matrix kernels in plain Java, for JVMs without the Vector API: a 4 × 4 register tile (16
 * accumulators fit the scalar registers of every 64-bit target) over the shared blocking.
 */
final class ScalarKernels extends BlockedGemm {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    ScalarKernels() {
        super(4, 4);
    }

    @Override
    void microKernel(float[] ap, int apOff, float[] bp, int bpOff, int kc,
                     float[] c, int cOff, int ldc, int rows, int cols, float alpha) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        int ai = apOff;
        int bi = bpOff;
        for (int p = 0; p < kc; p++, ai += 4, bi += 4) {
            float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
            float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        if (rows == 4 && cols == 4) {
            int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
            c[r0] += alpha * c00; c[r0 + 1] += alpha * c01; c[r0 + 2] += alpha * c02; c[r0 + 3] += alpha * c03;
            c[r1] += alpha * c10; c[r1 + 1] += alpha * c11; c[r1 + 2] += alpha * c12; c[r1 + 3] += alpha * c13;
            c[r2] += alpha * c20; c[r2 + 1] += alpha * c21; c[r2 + 2] += alpha * c22; c[r2 + 3] += alpha * c23;
            c[r3] += alpha * c30; c[r3 + 1] += alpha * c31; c[r3 + 2] += alpha * c32; c[r3 + 3] += alpha * c33;
            return;
        }
        float[] t = {
            c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33
        };
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                c[cOff + r * ldc + j] += alpha * t[r * 4 + j];
            }
        }
    }

    @Override
    void gemvT(int m, int k, float[] a, int aOff, int lda, MatrixB b, int j0, int j1,
               float alpha, float beta, float[] c, int cOff, int ldc, Object prepared) {
        float[] row = b.isHeap() ? null : new float[k];
        Scratch s = b.isHeap() ? null : new Scratch();
        for (int j = j0; j < j1; j++) {
            float[] src;
            int srcOff;
            if (b.isHeap()) {
                src = b.array();
                srcOff = b.offset() + j * b.ld();
            } else {
                convertRow(b.segment(), b.dtype(), (long) j * b.ld() * b.dtype().byteSize(), row, k, s);
                src = row;
                srcOff = 0;
            }
            for (int i = 0; i < m; i++) {
                int ao = aOff + i * lda;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int p = 0;
                for (; p + 4 <= k; p += 4) {
                    s0 += a[ao + p] * src[srcOff + p];
                    s1 += a[ao + p + 1] * src[srcOff + p + 1];
                    s2 += a[ao + p + 2] * src[srcOff + p + 2];
                    s3 += a[ao + p + 3] * src[srcOff + p + 3];
                }
                for (; p < k; p++) {
                    s0 += a[ao + p] * src[srcOff + p];
                }
                int ci = cOff + i * ldc + j;
                c[ci] = combine(alpha, (s0 + s1) + (s2 + s3), beta, c[ci]);
            }
        }
    }

    @Override
    void gemvN(int m, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               int j0, int j1, float alpha, float beta, float[] c, int cOff, int ldc) {
        float[] acc = new float[j1 - j0];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                float av = a[aOff + i * lda + p];
                int bo = bOff + p * ldb + j0;
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += av * b[bo + j];
                }
            }
            int co = cOff + i * ldc + j0;
            for (int j = 0; j < acc.length; j++) {
                c[co + j] = combine(alpha, acc[j], beta, c[co + j]);
            }
        }
    }
}
