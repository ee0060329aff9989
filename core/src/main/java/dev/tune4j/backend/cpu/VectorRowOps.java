package dev.tune4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels on the Vector API; tails run as scalar loops. Sums that feed a normalisation are
 * gathered per block of {@link #BLOCK} elements in float lanes and added up across blocks in
 * double, which keeps long rows (a 150k-entry vocabulary) accurate to a few float ulps.
 * Only loaded when {@link CpuFeatures#vectorEnabled()}.
 */
final class VectorRowOps implements RowOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int BLOCK = 16 * L;

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= len; i += 2 * L) {
            s0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), s0);
            s1 = FloatVector.fromArray(F, x, xOff + i + L).fma(FloatVector.fromArray(F, y, yOff + i + L), s1);
        }
        for (; i + L <= len; i += L) {
            s0 = FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i), s0);
        }
        float s = VectorKernels.sumLanes(s0.add(s1));
        for (; i < len; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public void scale(float a, float[] x, int off, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(a).intoArray(x, off + i);
        }
        for (; i < len; i++) {
            x[off + i] *= a;
        }
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).add(FloatVector.fromArray(F, y, yOff + i)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = x[xOff + i] + y[yOff + i];
        }
    }

    @Override
    public void mul(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).mul(FloatVector.fromArray(F, y, yOff + i)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    public float sum(float[] x, int off, int len) {
        double total = 0;
        int i = 0;
        while (i + L <= len) {
            int end = Math.min(len, i + BLOCK);
            FloatVector s = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                s = s.add(FloatVector.fromArray(F, x, off + i));
            }
            total += VectorKernels.sumLanes(s);
        }
        for (; i < len; i++) {
            total += x[off + i];
        }
        return (float) total;
    }

    @Override
    public float max(float[] x, int off, int len) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            m = m.max(FloatVector.fromArray(F, x, off + i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            r = Math.max(r, x[off + i]);
        }
        return r;
    }

    @Override
    public void softmaxInPlace(float[] x, int off, int len) {
        float m = max(x, off, len);
        scale((float) (1.0 / expSum(x, off, len, m)), x, off, len);
    }

    @Override
    public float rmsnorm(float[] x, int xOff, float[] weight, int wOff, float eps, float[] out, int outOff, int len) {
        double ss = 0;
        int i = 0;
        while (i + L <= len) {
            int end = Math.min(len, i + BLOCK);
            FloatVector s = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + i);
                s = v.fma(v, s);
            }
            ss += VectorKernels.sumLanes(s);
        }
        for (; i < len; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / len + eps));
        i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i).mul(rstd);
            if (weight != null) {
                v = FloatVector.fromArray(F, weight, wOff + i).mul(v);
            }
            v.intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float v = x[xOff + i] * rstd;
            out[outOff + i] = weight == null ? v : weight[wOff + i] * v;
        }
        return rstd;
    }

    @Override
    public void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int outOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector sig = exp(g.neg()).add(1f);
            g.div(sig).mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float g = gate[gOff + i];
            out[outOff + i] = g / (1f + expScalar(-g)) * up[uOff + i];
        }
    }

    @Override
    public float expSum(float[] x, int off, int len, float max) {
        FloatVector mv = FloatVector.broadcast(F, max);
        double total = 0;
        int i = 0;
        while (i + L <= len) {
            int end = Math.min(len, i + BLOCK);
            FloatVector s = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                FloatVector e = exp(FloatVector.fromArray(F, x, off + i).sub(mv));
                e.intoArray(x, off + i);
                s = s.add(e);
            }
            total += VectorKernels.sumLanes(s);
        }
        for (; i < len; i++) {
            float e = expScalar(x[off + i] - max);
            x[off + i] = e;
            total += e;
        }
        return (float) total;
    }

    // e^x = 2^n * e^r with n = round(x / ln 2) and |r| <= ln(2) / 2; e^r by Cephes' expf
    // polynomial (about 1 ulp). Written out in lanewise arithmetic rather than taken from
    // VectorOperators.EXP, whose compiled (SVML) and interpreted forms round differently: with
    // these operations a value gets the same bits before and after the JIT warms up, and the
    // scalar twin below gives the same bits for the tail elements.
    private static final float EXP_HI = 88.3762626647949f;
    private static final float EXP_LO = -87.3365478515625f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer in the low bits. */
    private static final float ROUNDER = 12582912f;

    /** e^x lane by lane (0 below about -87.3, including -inf; +inf above about 88.4). */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, EXP_LO);
        VectorMask<Float> over = x.compare(VectorOperators.GT, EXP_HI);
        FloatVector c = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(F, 1.9875691500e-4f), FloatVector.broadcast(F, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        FloatVector y = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDER)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector out = y.mul(bits.reinterpretAsFloats());
        return out.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    }

    /** The same computation as {@link #exp(FloatVector)} for one value (same bits). */
    static float expScalar(float x) {
        if (x < EXP_LO) {
            return 0f;
        }
        if (x > EXP_HI) {
            return Float.POSITIVE_INFINITY;
        }
        if (Float.isNaN(x)) {
            return x;
        }
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        float y = p * (r * r) + r + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUNDER) + 127) << 23);
    }
}
