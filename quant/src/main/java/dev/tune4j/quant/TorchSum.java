package dev.tune4j.quant;

/**
 * torch's CPU float32 {@code sum}/{@code mean} of a contiguous 1-D tensor, operation for
 * operation.
 *
 * <p>Double quantization subtracts {@code absmax.mean()} and stores it as {@code nested_offset};
 * a plain or double-precision sum differs from torch's in the last bit for most arrays, so the
 * order is reproduced here: the AVX2 build's 8 float lanes, 4 interleaved vector accumulators,
 * each summed with torch's 4-level cascade, leftover vectors into the first accumulator, then
 * the leftover scalars and finally the 8 lanes (ATen {@code SumKernel.cpp}). Valid for a single
 * thread, i.e. below 32768 elements; beyond that torch splits the sum across threads.
 */
final class TorchSum {
    private static final int LANES = 8;
    private static final int ACCUMULATORS = 4;
    private static final int LEVELS = 4;

    private TorchSum() {}

    /** {@code torch.mean(x)} for float32 x: the sum above divided by the count in float32. */
    static float mean(float[] x) {
        return sum(x) / (float) x.length;
    }

    static float sum(float[] x) {
        int n = x.length;
        if (n < LANES) {
            return 0.0f + scalarRowSum(x, n);
        }
        int vectors = n / LANES;
        int perAcc = vectors / ACCUMULATORS;
        float[] acc0 = new float[LANES];
        for (int k = 0; k < ACCUMULATORS; k++) {
            float[] acc = cascadeVectors(x, k, perAcc);
            if (k == 0) {
                acc0 = acc;
            } else {
                addLanes(acc0, acc, 0);
            }
            if (k == 0) {
                // Leftover vectors go to the first accumulator before the others are folded in.
                for (int v = perAcc * ACCUMULATORS; v < vectors; v++) {
                    addLanes(acc0, x, v * LANES);
                }
            }
        }
        float t = 0f;
        for (int i = vectors * LANES; i < n; i++) {
            t += x[i];
        }
        for (int l = 0; l < LANES; l++) {
            t += acc0[l];
        }
        return 0.0f + t;
    }

    /** Lane-wise cascade sum of vectors k, k+4, k+8, ... (m of them). */
    private static float[] cascadeVectors(float[] x, int k, int m) {
        int p = levelPower(m);
        int step = 1 << p;
        long mask = step - 1;
        float[][] levels = new float[LEVELS][LANES];
        int i = 0;
        while (i + step <= m) {
            for (int j = 0; j < step; j++) {
                addLanes(levels[0], x, ((i + j) * ACCUMULATORS + k) * LANES);
            }
            i += step;
            for (int j = 1; j < LEVELS; j++) {
                for (int l = 0; l < LANES; l++) {
                    levels[j][l] += levels[j - 1][l];
                    levels[j - 1][l] = 0f;
                }
                if ((i & (mask << (j * p))) != 0) {
                    break;
                }
            }
        }
        for (; i < m; i++) {
            addLanes(levels[0], x, (i * ACCUMULATORS + k) * LANES);
        }
        for (int j = 1; j < LEVELS; j++) {
            addLanes(levels[0], levels[j], 0);
        }
        return levels[0];
    }

    /** The same structure on scalars: 4 accumulators over elements 4i+k, cascaded. */
    private static float scalarRowSum(float[] x, int n) {
        int perAcc = n / ACCUMULATORS;
        float[] acc = new float[ACCUMULATORS];
        for (int k = 0; k < ACCUMULATORS; k++) {
            acc[k] = cascadeScalars(x, k, perAcc);
        }
        for (int i = perAcc * ACCUMULATORS; i < n; i++) {
            acc[0] += x[i];
        }
        for (int k = 1; k < ACCUMULATORS; k++) {
            acc[0] += acc[k];
        }
        return acc[0];
    }

    private static float cascadeScalars(float[] x, int k, int m) {
        int p = levelPower(m);
        int step = 1 << p;
        long mask = step - 1;
        float[] levels = new float[LEVELS];
        int i = 0;
        while (i + step <= m) {
            for (int j = 0; j < step; j++) {
                levels[0] += x[(i + j) * ACCUMULATORS + k];
            }
            i += step;
            for (int j = 1; j < LEVELS; j++) {
                levels[j] += levels[j - 1];
                levels[j - 1] = 0f;
                if ((i & (mask << (j * p))) != 0) {
                    break;
                }
            }
        }
        for (; i < m; i++) {
            levels[0] += x[i * ACCUMULATORS + k];
        }
        for (int j = 1; j < LEVELS; j++) {
            levels[0] += levels[j];
        }
        return levels[0];
    }

    /** {@code max(4, ceil(log2(m)) / 4)} with integer division. */
    private static int levelPower(int m) {
        int ceilLog2 = m <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(m - 1);
        return Math.max(4, ceilLog2 / LEVELS);
    }

    private static void addLanes(float[] acc, float[] src, int off) {
        for (int l = 0; l < LANES; l++) {
            acc[l] += src[off + l];
        }
    }
}
