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
}
