package dev.tune4j.backend.cpu;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Run in a child JVM by {@link ScalarFallbackTest}: exercises the public kernels on the scalar
 * path and checks them against double-precision references. Exits 0 when every check passes,
 * 1 on a mismatch, 2 when the vector path is active although scalar was expected.
 */
public final class ScalarPathMain {
    private ScalarPathMain() {}

    public static void main(String[] args) {
        boolean moduleAbsent = ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty();
        System.out.println("vector module present: " + !moduleAbsent + ", vector kernels: " + CpuFeatures.vectorEnabled());
        if (CpuFeatures.vectorEnabled() || Gemm.vectorKernelsInUse()) {
            System.out.println("FAIL: expected the scalar path");
            System.exit(2);
        }
        String bad = run();
        if (bad != null) {
            System.out.println("FAIL: " + bad);
            System.exit(1);
        }
        System.out.println("OK");
    }

    private static String run() {
        Random rnd = new Random(42);
        int[][] shapes = {{1, 70, 300}, {3, 33, 65}, {37, 45, 29}, {133, 70, 300}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    float[] a = Reference.random(rnd, m * k);
                    float[] b = Reference.random(rnd, k * n);
                    float[] c = Reference.random(rnd, m * n);
                    Reference.Product want = Reference.sgemm(ta, tb, m, n, k, 1.5f, a, 0, lda, b, 0, ldb, 0.5f, c, 0, n);
                    Gemm.sgemm(ta, tb, m, n, k, 1.5f, a, 0, lda, b, 0, ldb, 0.5f, c, 0, n);
                    String bad = Reference.mismatch(want, c, 0, n, m, n);
                    if (bad != null) {
                        return "sgemm " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb + ": " + bad;
                    }
                }
            }
        }
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int m : new int[] {1, 9}) {
                int n = 90, k = 130;
                MemorySegment seg = MemorySegment.ofArray(new byte[n * k * dt.byteSize()]);
                float[] values = new float[n * k];
                for (int i = 0; i < n * k; i++) {
                    float v = rnd.nextFloat() * 2 - 1;
                    switch (dt) {
                        case F32 -> {
                            seg.setAtIndex(Tensor.LE_FLOAT, i, v);
                            values[i] = v;
                        }
                        case F16 -> {
                            seg.setAtIndex(Tensor.LE_SHORT, i, Float.floatToFloat16(v));
                            values[i] = Float.float16ToFloat(Float.floatToFloat16(v));
                        }
                        default -> {
                            short h = (short) (Float.floatToRawIntBits(v) >>> 16);
                            seg.setAtIndex(Tensor.LE_SHORT, i, h);
                            values[i] = Float.intBitsToFloat((h & 0xFFFF) << 16);
                        }
                    }
                }
                float[] x = Reference.random(rnd, m * k);
                float[] y = new float[m * n];
                Gemm.linear(x, 0, m, k, Tensor.wrap(seg, dt, n, k), y, 0);
                Reference.Product want = Reference.sgemm(false, true, m, n, k, 1f, x, 0, k, values, 0, k, 0f, y, 0, n);
                String bad = Reference.mismatch(want, y, 0, n, m, n);
                if (bad != null) {
                    return "linear " + dt + " m=" + m + ": " + bad;
                }
            }
        }
        float[] row = Reference.random(rnd, 1001);
        float[] before = row.clone();
        VectorOps.softmaxInPlace(row, 0, row.length);
        double mx = Double.NEGATIVE_INFINITY, s = 0;
        for (float v : before) {
            mx = Math.max(mx, v);
        }
        for (float v : before) {
            s += Math.exp(v - mx);
        }
        for (int i = 0; i < row.length; i++) {
            double w = Math.exp(before[i] - mx) / s;
            if (Math.abs(row[i] - w) > 1e-6 * w) {
                return "softmax at " + i + ": " + row[i] + " vs " + w;
            }
        }
        float[] g = Reference.random(rnd, 77);
        float[] u = Reference.random(rnd, 77);
        float[] out = new float[77];
        VectorOps.siluMul(g, 0, u, 0, out, 0, 77);
        for (int i = 0; i < 77; i++) {
            double w = g[i] / (1 + Math.exp(-g[i])) * u[i];
            if (Math.abs(out[i] - w) > 1e-6 * Math.abs(w) + 1e-30) {
                return "siluMul at " + i + ": " + out[i] + " vs " + w;
            }
        }
        double ss = 0;
        for (float v : g) {
            ss += (double) v * v;
        }
        double rstd = 1 / Math.sqrt(ss / 77 + 1e-5);
        VectorOps.rmsnorm(g, 0, u, 0, 1e-5f, out, 0, 77);
        for (int i = 0; i < 77; i++) {
            double w = u[i] * g[i] * rstd;
            if (Math.abs(out[i] - w) > 1e-6 * Math.abs(w) + 1e-30) {
                return "rmsnorm at " + i + ": " + out[i] + " vs " + w;
            }
        }
        return null;
    }
}
