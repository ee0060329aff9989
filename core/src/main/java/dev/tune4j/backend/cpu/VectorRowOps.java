package dev.tune4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
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
        float s = sumLanes(s0.add(s1));
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
            total += sumLanes(s);
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
        FloatVector mv = FloatVector.broadcast(F, m);
        double total = 0;
        int i = 0;
        while (i + L <= len) {
            int end = Math.min(len, i + BLOCK);
            FloatVector s = FloatVector.zero(F);
            for (; i + L <= end; i += L) {
                FloatVector e = FloatVector.fromArray(F, x, off + i).sub(mv).lanewise(VectorOperators.EXP);
                e.intoArray(x, off + i);
                s = s.add(e);
            }
            total += sumLanes(s);
        }
        for (; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - m);
            x[off + i] = e;
            total += e;
        }
        scale((float) (1.0 / total), x, off, len);
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
            ss += sumLanes(s);
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
            FloatVector sig = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.div(sig).mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float g = gate[gOff + i];
            out[outOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /**
     * Sum of the lanes in lane order. {@code reduceLanes(ADD)} leaves the order of the float
     * additions unspecified, and it differs between the interpreter and compiled code, so the same
     * inputs gave different bits as the JIT warmed up; a fixed order keeps every result (and so
     * training runs) reproducible.
     */
    private static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }
}
