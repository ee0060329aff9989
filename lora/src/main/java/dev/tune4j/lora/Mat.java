package dev.tune4j.lora;

/**
 * Small dense helpers on row-major float arrays for adapter-sized matrices (merges, inits,
 * weighted combinations). Products accumulate in double: these run once per merge, not per token,
 * and the extra precision keeps merged weights within float rounding of torch's.
 */
final class Mat {
    private Mat() {}

    /** {@code a[m,k] @ b[k,n]} into a new float array, accumulated in double. */
    static float[] matmul(float[] a, int m, int k, float[] b, int n) {
        float[] out = new float[m * n];
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0.0);
            for (int p = 0; p < k; p++) {
                double av = a[i * k + p];
                if (av == 0.0) {
                    continue;
                }
                int bo = p * n;
                for (int j = 0; j < n; j++) {
                    row[j] += av * b[bo + j];
                }
            }
            for (int j = 0; j < n; j++) {
                out[i * n + j] = (float) row[j];
            }
        }
        return out;
    }

    /** The transpose of {@code a[rows, cols]}. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /** L2 norm of each row of {@code a[rows, cols]}. */
    static double[] rowNorms(float[] a, int rows, int cols) {
        double[] n = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double v = a[i * cols + j];
                s += v * v;
            }
            n[i] = Math.sqrt(s);
        }
        return n;
    }

    /** {@code a * s} elementwise, in float as torch multiplies a float32 tensor by a scalar. */
    static float[] scale(float[] a, double s) {
        float fs = (float) s;
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] * fs;
        }
        return out;
    }

    /** True when every value is finite. */
    static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** A thin QR factorisation: {@code a = q r} with q [m, n] (orthonormal columns) and r [n, n]. */
    record Qr(double[][] q, double[][] r) {}

    /**
     * Thin QR of the columns {@code cols[j][0..m)} (column-major) by Gram-Schmidt with
     * re-orthogonalisation. Commons Math's QR builds the full m x m Q, which for a tall matrix
     * (a 11008-row projection) would need gigabytes, while the callers only need the n leading
     * columns; two Gram-Schmidt passes keep them orthogonal to working precision. A column with no
     * component left (rank deficiency, e.g. an adapter whose B is still zero) gets a zero q
     * column and a zero diagonal, which keeps {@code a = q r} exact.
     */
    static Qr thinQr(double[][] cols) {
        int n = cols.length;
        int m = n == 0 ? 0 : cols[0].length;
        double[][] q = new double[n][];
        double[][] r = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] v = cols[j].clone();
            double original = norm(v);
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double d = 0;
                    for (int i = 0; i < m; i++) {
                        d += q[k][i] * v[i];
                    }
                    r[k][j] += d;
                    for (int i = 0; i < m; i++) {
                        v[i] -= d * q[k][i];
                    }
                }
            }
            double nv = norm(v);
            if (nv <= 1e-12 * Math.max(original, Double.MIN_NORMAL)) {
                q[j] = new double[m];
                r[j][j] = 0;
            } else {
                for (int i = 0; i < m; i++) {
                    v[i] /= nv;
                }
                q[j] = v;
                r[j][j] = nv;
            }
        }
        return new Qr(q, r);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
