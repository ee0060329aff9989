package dev.tune4j.backend.cpu;

/** The row kernels behind {@link VectorOps}: one SIMD and one scalar implementation. */
interface RowOps {
    float dot(float[] x, int xOff, float[] y, int yOff, int len);

    void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len);

    void scale(float a, float[] x, int off, int len);

    void add(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len);

    void mul(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len);

    float sum(float[] x, int off, int len);

    float max(float[] x, int off, int len);

    void softmaxInPlace(float[] x, int off, int len);

    /** {@code x[i] = exp(x[i] - max)} (0 for -inf), returning their sum. */
    float expSum(float[] x, int off, int len, float max);

    float rmsnorm(float[] x, int xOff, float[] weight, int wOff, float eps, float[] out, int outOff, int len);

    void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int len);
}
