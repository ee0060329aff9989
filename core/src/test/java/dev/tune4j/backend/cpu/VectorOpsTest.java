package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Row kernels, SIMD and scalar, against double-precision formulas evaluated here. */
class VectorOpsTest {
    private static final int[] LENGTHS = {1, 2, 3, 15, 16, 17, 31, 100, 257, 1000, 4099, 32000};
    private static final double EPS = Reference.EPS;

    static Stream<Arguments> impls() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("scalar", ScalarRowOps.INSTANCE));
        if (CpuFeatures.vectorEnabled()) {
            out.add(Arguments.of("vector", VectorRowOpsHolder.create()));
        }
        return out.stream();
    }

    private static void close(double want, float got, double tol, String what) {
        assertTrue(Math.abs(got - want) <= tol, () -> what + ": got " + got + ", expected " + want + " (tolerance " + tol + ")");
    }

    private static float[] random(Random rnd, int n, float scale) {
        float[] x = Reference.random(rnd, n);
        for (int i = 0; i < n; i++) {
            x[i] *= scale;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void reductions(String name, RowOps ops) {
        Random rnd = new Random(1);
        for (int len : LENGTHS) {
            int xo = rnd.nextInt(4), yo = rnd.nextInt(4);
            float[] x = random(rnd, xo + len, 3f);
            float[] y = random(rnd, yo + len, 3f);
            double dot = 0, dotAbs = 0, sum = 0, sumAbs = 0, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                dot += (double) x[xo + i] * y[yo + i];
                dotAbs += Math.abs((double) x[xo + i] * y[yo + i]);
                sum += x[xo + i];
                sumAbs += Math.abs(x[xo + i]);
                max = Math.max(max, x[xo + i]);
            }
            double bound = 3 * (Math.sqrt(len) + 2) * EPS;
            close(dot, ops.dot(x, xo, y, yo, len), bound * dotAbs, "dot len " + len);
            close(sum, ops.sum(x, xo, len), bound * sumAbs, "sum len " + len);
            assertEquals((float) max, ops.max(x, xo, len), "max len " + len);
        }
        float[] withNan = {1, 2, Float.NaN, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
        assertTrue(Float.isNaN(ops.max(withNan, 0, withNan.length)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void elementwise(String name, RowOps ops) {
        Random rnd = new Random(2);
        for (int len : LENGTHS) {
            int xo = rnd.nextInt(4), yo = rnd.nextInt(4), oo = rnd.nextInt(4);
            float[] x = random(rnd, xo + len, 2f);
            float[] y = random(rnd, yo + len, 2f);
            float a = 0.37f;
            float[] out = new float[oo + len];
            ops.add(x, xo, y, yo, out, oo, len);
            for (int i = 0; i < len; i++) {
                double w = (double) x[xo + i] + y[yo + i];
                close(w, out[oo + i], EPS * Math.abs(w), "add");
            }
            ops.mul(x, xo, y, yo, out, oo, len);
            for (int i = 0; i < len; i++) {
                double w = (double) x[xo + i] * y[yo + i];
                close(w, out[oo + i], EPS * Math.abs(w), "mul");
            }
            float[] yy = y.clone();
            ops.axpy(a, x, xo, yy, yo, len);
            for (int i = 0; i < len; i++) {
                double w = y[yo + i] + (double) a * x[xo + i];
                close(w, yy[yo + i], 2 * EPS * (Math.abs(y[yo + i]) + Math.abs(a * x[xo + i])), "axpy");
            }
            float[] xs = x.clone();
            ops.scale(a, xs, xo, len);
            for (int i = 0; i < len; i++) {
                double w = (double) a * x[xo + i];
                close(w, xs[xo + i], EPS * Math.abs(w), "scale");
            }
            for (int i = 0; i < xo; i++) {
                assertEquals(x[i], xs[i], "scale wrote before the offset");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void softmaxWithinOneMillionthOfDouble(String name, RowOps ops) {
        Random rnd = new Random(3);
        for (int len : LENGTHS) {
            int off = rnd.nextInt(4);
            float[] x = random(rnd, off + len + 2, 8f);
            float[] before = x.clone();
            ops.softmaxInPlace(x, off, len);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                m = Math.max(m, before[off + i]);
            }
            double s = 0;
            for (int i = 0; i < len; i++) {
                s += Math.exp(before[off + i] - m);
            }
            for (int i = 0; i < len; i++) {
                double w = Math.exp(before[off + i] - m) / s;
                close(w, x[off + i], 1e-6 * w, "softmax len " + len + " at " + i);
            }
            assertEquals(before[off + len], x[off + len], "softmax wrote past the row");
        }
        float ninf = Float.NEGATIVE_INFINITY;
        float[] masked = new float[40];
        java.util.Arrays.fill(masked, ninf);
        masked[21] = 3f;
        ops.softmaxInPlace(masked, 0, 40);
        float[] oneHot = new float[40];
        oneHot[21] = 1f;
        assertArrayEquals(oneHot, masked, "a masked row is one-hot");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void expSumWithinOneMillionthOfDouble(String name, RowOps ops) {
        Random rnd = new Random(5);
        for (int len : LENGTHS) {
            int off = rnd.nextInt(4);
            float[] x = random(rnd, off + len + 1, 30f);
            x[off] = Float.NEGATIVE_INFINITY;
            float[] before = x.clone();
            float max = 10f;
            float got = ops.expSum(x, off, len, max);
            double want = 0;
            for (int i = 0; i < len; i++) {
                // The difference is taken in float, as a float32 softmax takes it; exp itself in double.
                double e = Math.exp(before[off + i] - max);
                want += e;
                close(e, x[off + i], 1e-6 * e + Float.MIN_NORMAL, "exp(" + before[off + i] + " - 10) len " + len);
            }
            close(want, got, 1e-6 * want, "sum of exp, len " + len);
            assertEquals(0f, x[off], "exp(-inf) is 0");
            assertEquals(before[off + len], x[off + len], "expSum wrote past the row");
        }
        // Extremes: underflow to 0 (or a subnormal), overflow to infinity, and exp(0) = 1 exactly.
        float[] edge = {-200f, -87.5f, 0f, 88f, 100f};
        ops.expSum(edge, 0, edge.length, 0f);
        assertEquals(0f, edge[0]);
        close(Math.exp(-87.5), edge[1], Float.MIN_NORMAL, "exp(-87.5) (subnormal, may flush to 0)");
        assertEquals(1f, edge[2]);
        close(Math.exp(88), edge[3], 1e-6 * Math.exp(88), "exp(88)");
        assertEquals(Float.POSITIVE_INFINITY, edge[4]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void expGivesTheSameBitsInTheVectorBodyAndTheScalarTail(String name, RowOps ops) {
        // 33 copies of each value: the first 32 go through the SIMD body (for 8- and 16-lane
        // vectors), the last through the scalar tail; all must round alike.
        Random rnd = new Random(6);
        for (int trial = 0; trial < 2000; trial++) {
            float v = (float) ((rnd.nextDouble() - 0.5) * 180);
            float[] row = new float[33];
            java.util.Arrays.fill(row, v);
            ops.expSum(row, 0, row.length, 0f);
            for (int i = 1; i < row.length; i++) {
                assertEquals(Float.floatToRawIntBits(row[0]), Float.floatToRawIntBits(row[i]), "exp(" + v + ") at " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void rmsnormMatchesLlamaRmsNorm(String name, RowOps ops) {
        Random rnd = new Random(4);
        for (int len : LENGTHS) {
            float[] x = random(rnd, len + 1, 4f);
            float[] w = random(rnd, len + 3, 1f);
            float[] out = new float[len + 2];
            float eps = 1e-6f;
            float rstd = ops.rmsnorm(x, 1, w, 3 % (len + 1) == 0 ? 0 : 3, eps, out, 2, len);
            int wo = 3 % (len + 1) == 0 ? 0 : 3;
            double ss = 0;
            for (int i = 0; i < len; i++) {
                ss += (double) x[1 + i] * x[1 + i];
            }
            double r = 1 / Math.sqrt(ss / len + eps);
            close(r, rstd, 1e-6 * r, "rstd len " + len);
            for (int i = 0; i < len; i++) {
                double want = w[wo + i] * x[1 + i] * r;
                close(want, out[2 + i], 1e-6 * Math.abs(want) + 1e-30, "rmsnorm len " + len + " at " + i);
            }
            float[] noGain = new float[len];
            ops.rmsnorm(x, 1, null, 0, eps, noGain, 0, len);
            for (int i = 0; i < len; i++) {
                double want = x[1 + i] * r;
                close(want, noGain[i], 1e-6 * Math.abs(want) + 1e-30, "rmsnorm without weight");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void siluTimesUp(String name, RowOps ops) {
        Random rnd = new Random(5);
        for (int len : LENGTHS) {
            float[] g = random(rnd, len, 10f);
            float[] u = random(rnd, len + 1, 2f);
            float[] out = new float[len];
            ops.siluMul(g, 0, u, 1, out, 0, len);
            for (int i = 0; i < len; i++) {
                double want = g[i] / (1 + Math.exp(-g[i])) * u[1 + i];
                close(want, out[i], 1e-6 * Math.abs(want) + 1e-30, "silu*up len " + len + " at " + i);
            }
        }
    }

    @Test
    void publicMethodsCheckBounds() {
        float[] x = new float[8];
        assertThrows(IndexOutOfBoundsException.class, () -> VectorOps.dot(x, 4, x, 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> VectorOps.softmaxInPlace(x, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> VectorOps.rmsnorm(x, 0, null, 0, 1e-6f, x, 0, 0));
        float[] row = {1, 2, 3};
        VectorOps.softmaxInPlace(row, 0, 3);
        double s = Math.exp(-2) + Math.exp(-1) + 1;
        assertEquals(1 / s, row[2], 1e-6 / s);
    }
}
