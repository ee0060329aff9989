package dev.tune4j.backend.cpu;

import java.util.Objects;

/**
 * Row kernels for the CPU backend: SIMD through the Vector API when {@link CpuFeatures#vectorEnabled()},
 * plain loops otherwise (same results up to float rounding). Every method works on
 * {@code len} consecutive values of float arrays starting at the given offsets; outputs may alias
 * inputs element for element.
 *
 * <pre>{@code
 * // torch: probs = torch.softmax(logits[row], dim=-1)
 * VectorOps.softmaxInPlace(logits, row * vocab, vocab);
 * }</pre>
 */
public final class VectorOps {
    private static final RowOps OPS = CpuFeatures.vectorEnabled() ? vectorOps() : ScalarRowOps.INSTANCE;

    private VectorOps() {}

    /** Loaded only on the vector path: the class refers to {@code jdk.incubator.vector}. */
    private static RowOps vectorOps() {
        return new VectorRowOps();
    }

    /** {@code sum_i x[i] * y[i]}, accumulated in float32 lanes (torch: {@code torch.dot}). */
    public static float dot(float[] x, int xOff, float[] y, int yOff, int len) {
        check(x, xOff, len);
        check(y, yOff, len);
        return OPS.dot(x, xOff, y, yOff, len);
    }

    /** {@code y += a * x} (BLAS saxpy; torch: {@code y.add_(x, alpha=a)}). */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
        check(x, xOff, len);
        check(y, yOff, len);
        OPS.axpy(a, x, xOff, y, yOff, len);
    }

    /** {@code x *= a} in place (torch: {@code x.mul_(a)}). */
    public static void scale(float a, float[] x, int off, int len) {
        check(x, off, len);
        OPS.scale(a, x, off, len);
    }

    /** {@code out = x + y} elementwise (torch: {@code torch.add(x, y, out=out)}). */
    public static void add(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        check(x, xOff, len);
        check(y, yOff, len);
        check(out, outOff, len);
        OPS.add(x, xOff, y, yOff, out, outOff, len);
    }

    /** {@code out = x * y} elementwise (torch: {@code torch.mul(x, y, out=out)}). */
    public static void mul(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        check(x, xOff, len);
        check(y, yOff, len);
        check(out, outOff, len);
        OPS.mul(x, xOff, y, yOff, out, outOff, len);
    }

    /** The sum of the values, gathered in blocks and finished in double. */
    public static float sum(float[] x, int off, int len) {
        check(x, off, len);
        return OPS.sum(x, off, len);
    }

    /** The largest value; NaN when any value is NaN, -infinity for an empty row (torch: {@code x.max()}). */
    public static float max(float[] x, int off, int len) {
        check(x, off, len);
        return OPS.max(x, off, len);
    }

    /**
     * Softmax of one row in place, max-subtracted as torch computes it in float32:
     * {@code x[i] = exp(x[i] - max) / sum_j exp(x[j] - max)}. A row of -infinity values with
     * one finite entry gives a one-hot row; a row that is all -infinity gives NaN, as in torch.
     */
    public static void softmaxInPlace(float[] x, int off, int len) {
        check(x, off, len);
        if (len > 0) {
            OPS.softmaxInPlace(x, off, len);
        }
    }

    /**
     * {@code x[off + i] = exp(x[off + i] - max)} for {@code i < len} (0 where x is -inf), and the
     * sum of the results, accumulated in a fixed order: the numerator and denominator of a softmax.
     */
    public static float expSum(float[] x, int off, int len, float max) {
        check(x, off, len);
        return OPS.expSum(x, off, len, max);
    }

    /**
     * RMSNorm of one row as transformers' {@code LlamaRMSNorm} computes it:
     * {@code out[i] = weight[i] * (x[i] * rstd)} with {@code rstd = 1 / sqrt(mean(x^2) + eps)}.
     * A null {@code weight} skips the gain. Returns {@code rstd}, which the backward pass needs.
     */
    public static float rmsnorm(float[] x, int xOff, float[] weight, int wOff, float eps,
                                float[] out, int outOff, int len) {
        check(x, xOff, len);
        check(out, outOff, len);
        if (weight != null) {
            check(weight, wOff, len);
        }
        if (len == 0) {
            throw new IllegalArgumentException("rmsnorm of an empty row");
        }
        return OPS.rmsnorm(x, xOff, weight, wOff, eps, out, outOff, len);
    }

    /**
     * The SwiGLU product {@code out = silu(gate) * up} with {@code silu(g) = g / (1 + exp(-g))}
     * (transformers' {@code LlamaMLP}: {@code act_fn(gate_proj(x)) * up_proj(x)}).
     */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int len) {
        check(gate, gOff, len);
        check(up, uOff, len);
        check(out, outOff, len);
        OPS.siluMul(gate, gOff, up, uOff, out, outOff, len);
    }

    private static void check(float[] a, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(a, "array").length);
    }
}
