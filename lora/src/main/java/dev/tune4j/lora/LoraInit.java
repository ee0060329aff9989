package dev.tune4j.lora;

import java.util.random.RandomGenerator;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The initialisations of peft's {@code LoraLayer.update_layer}. Random draws come from a seeded
 * Java generator: the distributions are torch's, the values are not (torch's Philox/MT19937
 * stream is not reproduced), so seeds do not carry over between the two.
 */
final class LoraInit {
    private LoraInit() {}

    /** The result of an init that also rewrites the base weight (PiSSA, OLoRA). */
    record Factors(float[] a, float[] b, float[] residual) {}

    /**
     * torch's {@code nn.init.kaiming_uniform_(w, a=sqrt(5))} on a [rows, fanIn] matrix: U(-b, b) with
     * {@code b = sqrt(6 / ((1 + 5) * fanIn)) = 1 / sqrt(fanIn)}.
     */
    static float[] kaimingUniform(RandomGenerator rng, int rows, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[rows * fanIn];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return w;
    }

    /** {@code nn.init.normal_(w, std=std)}. */
    static float[] normal(RandomGenerator rng, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (rng.nextGaussian() * std);
        }
        return w;
    }

    /**
     * PiSSA: with {@code W = U S V^T} (W is [out, in]), {@code A = diag(sqrt(S_r / s)) V_r^T},
     * {@code B = U_r diag(sqrt(S_r / s))}, and the base keeps {@code W - s B A}. peft's
     * {@code pissa_niter_N} uses a randomized SVD; this computes the exact one.
     */
    static Factors pissa(float[] w, int out, int in, int r, double scaling) {
        RealMatrix m = toMatrix(w, out, in);
        SingularValueDecomposition svd = new SingularValueDecomposition(m);
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        double[] s = svd.getSingularValues();
        int k = Math.min(r, s.length);
        float[] a = new float[r * in];
        float[] b = new float[out * r];
        for (int c = 0; c < k; c++) {
            double root = Math.sqrt(s[c] / scaling);
            for (int j = 0; j < in; j++) {
                a[c * in + j] = (float) (root * v.getEntry(j, c));
            }
            for (int i = 0; i < out; i++) {
                b[i * r + c] = (float) (u.getEntry(i, c) * root);
            }
        }
        return new Factors(a, b, residual(w, a, b, out, in, r, scaling));
    }

    /**
     * OLoRA: {@code W = Q R}; {@code B = Q[:, :r]}, {@code A = R[:r]}, and the base keeps
     * {@code W - s B A}. Only the r leading columns of Q are needed, and they come from the r
     * leading columns of W alone; then {@code R[:r] = Q[:, :r]^T W}.
     */
    static Factors olora(float[] w, int out, int in, int r, double scaling) {
        int k = Math.min(r, Math.min(out, in));
        double[][] cols = new double[k][out];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < out; i++) {
                cols[c][i] = w[i * in + c];
            }
        }
        double[][] q = Mat.thinQr(cols).q();
        float[] a = new float[r * in];
        float[] b = new float[out * r];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < in; j++) {
                double d = 0;
                for (int i = 0; i < out; i++) {
                    d += q[c][i] * w[i * in + j];
                }
                a[c * in + j] = (float) d;
            }
            for (int i = 0; i < out; i++) {
                b[i * r + c] = (float) q[c][i];
            }
        }
        return new Factors(a, b, residual(w, a, b, out, in, r, scaling));
    }

    private static float[] residual(float[] w, float[] a, float[] b, int out, int in, int r, double scaling) {
        float[] ba = Mat.matmul(b, out, r, a, in);
        float[] res = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            res[i] = (float) (w[i] - scaling * ba[i]);
        }
        return res;
    }

    static RealMatrix toMatrix(float[] w, int rows, int cols) {
        double[][] d = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i][j] = w[i * cols + j];
            }
        }
        return new Array2DRowRealMatrix(d, false);
    }
}
