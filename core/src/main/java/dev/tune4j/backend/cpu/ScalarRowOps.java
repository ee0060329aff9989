package dev.tune4j.backend.cpu;

/**
 * Row kernels in plain Java. Sums that feed a normalisation (softmax denominators, mean squares)
 * accumulate in double, so these results are at least as accurate as torch's float32 kernels.
 */
final class ScalarRowOps implements RowOps {
    static final ScalarRowOps INSTANCE = new ScalarRowOps();

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            s0 += x[xOff + i] * y[yOff + i];
            s1 += x[xOff + i + 1] * y[yOff + i + 1];
            s2 += x[xOff + i + 2] * y[yOff + i + 2];
            s3 += x[xOff + i + 3] * y[yOff + i + 3];
        }
        for (; i < len; i++) {
            s0 += x[xOff + i] * y[yOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public void scale(float a, float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            x[i] *= a;
        }
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            out[outOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public void mul(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            out[outOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public float sum(float[] x, int off, int len) {
        double s = 0;
        for (int i = off; i < off + len; i++) {
            s += x[i];
        }
        return (float) s;
    }

    @Override
    public float max(float[] x, int off, int len) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    @Override
    public void softmaxInPlace(float[] x, int off, int len) {
        float m = max(x, off, len);
        double s = 0;
        for (int i = off; i < off + len; i++) {
            float e = (float) Math.exp(x[i] - m);
            x[i] = e;
            s += e;
        }
        float inv = (float) (1.0 / s);
        for (int i = off; i < off + len; i++) {
            x[i] *= inv;
        }
    }

    @Override
    public float expSum(float[] x, int off, int len, float max) {
        double s = 0;
        for (int i = off; i < off + len; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            s += e;
        }
        return (float) s;
    }

    @Override
    public float rmsnorm(float[] x, int xOff, float[] weight, int wOff, float eps, float[] out, int outOff, int len) {
        double ss = 0;
        for (int i = 0; i < len; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / len + eps));
        for (int i = 0; i < len; i++) {
            float v = x[xOff + i] * rstd;
            out[outOff + i] = weight == null ? v : weight[wOff + i] * v;
        }
        return rstd;
    }

    @Override
    public void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            float g = gate[gOff + i];
            out[outOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }
}
