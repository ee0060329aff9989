package dev.tune4j.autograd;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Backend;
import dev.tune4j.backend.KvBuffer;
import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.backend.cpu.Gemm;
import dev.tune4j.backend.cpu.Parallel;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.random.RandomGenerator;

/**
 * A backend that records its ops on the tape: each forward runs on the wrapped backend and, when
 * grad mode is on and an input requires a gradient, the output carries a {@link Node} with the
 * op's hand-written backward. Without trained inputs nothing is recorded, so inference pays one
 * check per op.
 *
 * <p>The backward kernels are written here, on the CPU: each mirrors the forward in
 * {@link CpuBackend} and is checked against finite differences in the tests.
 */
public final class AutogradBackend implements Backend {
    private final Backend inner;

    private AutogradBackend(Backend inner) {
        this.inner = inner;
    }

    /** The recording CPU backend. */
    public static final AutogradBackend CPU = new AutogradBackend(CpuBackend.INSTANCE);

    @Override
    public String name() {
        return inner.name();
    }

    private static boolean record(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    private static float[] zerosLike(Tensor t) {
        return new float[Math.toIntExact(t.numel())];
    }

    // ---- embedding ---------------------------------------------------------------------------

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        Tensor out = inner.embedding(table, ids);
        if (!record(table)) {
            return out;
        }
        return out.withGradFn(new Node(table) {
            @Override
            public Tensor[] backward(Tensor g) {
                int h = table.dim(1);
                float[] grad = zerosLike(table);
                float[] gd = g.data();
                for (int i = 0; i < ids.length; i++) {
                    int base = ids[i] * h;
                    for (int j = 0; j < h; j++) {
                        grad[base + j] += gd[i * h + j];
                    }
                }
                return new Tensor[] {Tensor.of(grad, table.shape())};
            }
        });
    }

    // ---- linear layers -----------------------------------------------------------------------

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor out = inner.linear(x, weight, bias);
        if (!record(x, weight, bias)) {
            return out;
        }
        return out.withGradFn(new Node(x, weight, bias) {
            @Override
            public Tensor[] backward(Tensor g) {
                int n = x.dim(0);
                int in = x.dim(1);
                int outF = weight.dim(0);
                float[] gd = g.data();
                Tensor dx = null;
                Tensor dw = null;
                Tensor db = null;
                if (needs(0)) {
                    float[] r = new float[n * in];
                    timesWeight(gd, n, outF, in, weight, r);
                    dx = Tensor.of(r, n, in);
                }
                if (needs(1)) {
                    // dW [out, in] = g^T [out, n] . x [n, in]
                    float[] r = new float[outF * in];
                    Gemm.sgemm(true, false, outF, in, n, 1f, gd, 0, outF, x.data(), 0, in, 0f, r, 0, in);
                    dw = Tensor.of(r, outF, in);
                }
                if (needs(2)) {
                    db = Tensor.of(columnSums(gd, n, outF), outF);
                }
                return new Tensor[] {dx, dw, db};
            }
        });
    }

    /**
     * {@code r[n, in] = g[n, out] . W[out, in]} for W of any float dtype; segment weights (frozen,
     * memory-mapped) are widened to F32 a block of rows at a time.
     */
    static void timesWeight(float[] g, int n, int outF, int in, Tensor w, float[] r) {
        if (w.isHeapF32()) {
            Gemm.sgemm(false, false, n, in, outF, 1f, g, 0, outF, w.data(), 0, in, 0f, r, 0, in);
            return;
        }
        int block = Math.max(1, Math.min(outF, (1 << 20) / Math.max(1, in)));
        float[] rows = new float[block * in];
        for (int o = 0; o < outF; o += block) {
            int m = Math.min(block, outF - o);
            long base = (long) o * in;
            if (w.dtype() == DType.BF16) {
                var seg = w.segment();
                for (int i = 0; i < m * in; i++) {
                    rows[i] = DType.bf16ToFloat(seg.getAtIndex(Tensor.LE_SHORT, base + i));
                }
            } else {
                for (int i = 0; i < m * in; i++) {
                    rows[i] = w.getFloat(base + i);
                }
            }
            Gemm.sgemm(false, false, n, in, m, 1f, g, o, outF, rows, 0, in, o == 0 ? 0f : 1f, r, 0, in);
        }
    }

    private static float[] columnSums(float[] g, int n, int w) {
        float[] s = new float[w];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                s[j] += g[i * w + j];
            }
        }
        return s;
    }

    @Override
    public Tensor conv1d(Tensor x, Tensor weight, Tensor bias) {
        Tensor out = inner.conv1d(x, weight, bias);
        if (!record(x, weight, bias)) {
            return out;
        }
        return out.withGradFn(new Node(x, weight, bias) {
            @Override
            public Tensor[] backward(Tensor g) {
                int n = x.dim(0);
                int in = x.dim(1);
                int outF = weight.dim(1);
                float[] gd = g.data();
                Tensor dx = null;
                Tensor dw = null;
                Tensor db = null;
                if (needs(0)) {
                    // dx [n, in] = g [n, out] . W^T, W stored [in, out]
                    float[] r = new float[n * in];
                    Gemm.sgemm(false, true, n, in, outF, 1f, gd, 0, outF, weight.toF32().data(), 0, outF, 0f, r, 0, in);
                    dx = Tensor.of(r, n, in);
                }
                if (needs(1)) {
                    float[] r = new float[in * outF];
                    Gemm.sgemm(true, false, in, outF, n, 1f, x.data(), 0, in, gd, 0, outF, 0f, r, 0, outF);
                    dw = Tensor.of(r, in, outF);
                }
                if (needs(2)) {
                    db = Tensor.of(columnSums(gd, n, outF), outF);
                }
                return new Tensor[] {dx, dw, db};
            }
        });
    }

    // ---- elementwise -------------------------------------------------------------------------

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Tensor out = inner.add(a, b);
        if (!record(a, b)) {
            return out;
        }
        return out.withGradFn(new Node(a, b) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {needs(0) ? g : null, needs(1) ? g : null};
            }
        });
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        Tensor out = inner.scale(x, s);
        if (!record(x)) {
            return out;
        }
        return out.withGradFn(new Node(x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {inner.scale(g, s)};
            }
        });
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        Tensor out = inner.mul(a, b);
        if (!record(a, b)) {
            return out;
        }
        return out.withGradFn(new Node(a, b) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {needs(0) ? inner.mul(g, b.detach()) : null, needs(1) ? inner.mul(g, a.detach()) : null};
            }
        });
    }

    @Override
    public Tensor mulRowVector(Tensor x, Tensor v) {
        Tensor out = inner.mulRowVector(x, v);
        if (!record(x, v)) {
            return out;
        }
        return out.withGradFn(new Node(x, v) {
            @Override
            public Tensor[] backward(Tensor g) {
                Tensor dx = needs(0) ? inner.mulRowVector(g, v.detach()) : null;
                Tensor dv = null;
                if (needs(1)) {
                    int w = (int) v.numel();
                    float[] gd = g.data();
                    float[] xd = x.toF32().data();
                    float[] r = new float[w];
                    for (int i = 0; i < gd.length; i++) {
                        r[i % w] += gd[i] * xd[i];
                    }
                    dv = Tensor.of(r, v.shape());
                }
                return new Tensor[] {dx, dv};
            }
        });
    }

    @Override
    public Tensor dropout(Tensor x, float p, RandomGenerator random) {
        if (p == 0f) {
            return x;
        }
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        float[] d = x.data();
        float[] mask = CpuBackend.dropoutMask(d.length, p, random);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] * mask[i];
        }
        Tensor o = Tensor.of(out, x.shape());
        if (!record(x)) {
            return o;
        }
        return o.withGradFn(new Node(x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {inner.mul(g, Tensor.of(mask, x.shape()))};
            }
        });
    }

    // ---- norms and activations ---------------------------------------------------------------

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        Tensor out = inner.rmsNorm(x, weight, eps);
        if (!record(x, weight)) {
            return out;
        }
        return out.withGradFn(new Node(x, weight) {
            @Override
            public Tensor[] backward(Tensor g) {
                int n = x.dim(0);
                int h = x.dim(1);
                float[] xd = x.data();
                float[] w = weight.toF32().data();
                float[] gd = g.data();
                float[] dx = needs(0) ? new float[xd.length] : null;
                float[] dw = needs(1) ? new float[h] : null;
                for (int i = 0; i < n; i++) {
                    int off = i * h;
                    double ss = 0;
                    for (int j = 0; j < h; j++) {
                        ss += (double) xd[off + j] * xd[off + j];
                    }
                    double r = 1.0 / Math.sqrt(ss / h + eps);
                    double dot = 0;
                    for (int j = 0; j < h; j++) {
                        dot += (double) gd[off + j] * w[j] * xd[off + j];
                    }
                    for (int j = 0; j < h; j++) {
                        if (dx != null) {
                            dx[off + j] = (float) (r * gd[off + j] * w[j] - r * r * r / h * xd[off + j] * dot);
                        }
                        if (dw != null) {
                            dw[j] += (float) (gd[off + j] * xd[off + j] * r);
                        }
                    }
                }
                return new Tensor[] {dx == null ? null : Tensor.of(dx, n, h), dw == null ? null : Tensor.of(dw, weight.shape())};
            }
        });
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        Tensor out = inner.layerNorm(x, weight, bias, eps);
        if (!record(x, weight, bias)) {
            return out;
        }
        return out.withGradFn(new Node(x, weight, bias) {
            @Override
            public Tensor[] backward(Tensor g) {
                int n = x.dim(0);
                int h = x.dim(1);
                float[] xd = x.data();
                float[] w = weight.toF32().data();
                float[] gd = g.data();
                float[] dx = needs(0) ? new float[xd.length] : null;
                float[] dw = needs(1) ? new float[h] : null;
                float[] db = needs(2) ? new float[h] : null;
                double[] xhat = new double[h];
                for (int i = 0; i < n; i++) {
                    int off = i * h;
                    double mean = 0;
                    for (int j = 0; j < h; j++) {
                        mean += xd[off + j];
                    }
                    mean /= h;
                    double var = 0;
                    for (int j = 0; j < h; j++) {
                        double d = xd[off + j] - mean;
                        var += d * d;
                    }
                    double r = 1.0 / Math.sqrt(var / h + eps);
                    double meanG = 0;
                    double meanGX = 0;
                    for (int j = 0; j < h; j++) {
                        xhat[j] = (xd[off + j] - mean) * r;
                        double gx = (double) gd[off + j] * w[j];
                        meanG += gx;
                        meanGX += gx * xhat[j];
                    }
                    meanG /= h;
                    meanGX /= h;
                    for (int j = 0; j < h; j++) {
                        if (dx != null) {
                            dx[off + j] = (float) (r * ((double) gd[off + j] * w[j] - meanG - xhat[j] * meanGX));
                        }
                        if (dw != null) {
                            dw[j] += (float) (gd[off + j] * xhat[j]);
                        }
                        if (db != null) {
                            db[j] += gd[off + j];
                        }
                    }
                }
                return new Tensor[] {dx == null ? null : Tensor.of(dx, n, h), dw == null ? null : Tensor.of(dw, h),
                    db == null ? null : Tensor.of(db, h)};
            }
        });
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        Tensor out = inner.swiglu(gate, up);
        if (!record(gate, up)) {
            return out;
        }
        return out.withGradFn(new Node(gate, up) {
            @Override
            public Tensor[] backward(Tensor g) {
                float[] gv = gate.data();
                float[] uv = up.data();
                float[] gd = g.data();
                float[] dg = needs(0) ? new float[gv.length] : null;
                float[] du = needs(1) ? new float[gv.length] : null;
                for (int i = 0; i < gv.length; i++) {
                    double sig = 1.0 / (1.0 + Math.exp(-gv[i]));
                    double silu = gv[i] * sig;
                    if (dg != null) {
                        dg[i] = (float) (gd[i] * uv[i] * sig * (1 + gv[i] * (1 - sig)));
                    }
                    if (du != null) {
                        du[i] = (float) (gd[i] * silu);
                    }
                }
                return new Tensor[] {dg == null ? null : Tensor.of(dg, gate.shape()), du == null ? null : Tensor.of(du, up.shape())};
            }
        });
    }

    @Override
    public Tensor activation(Tensor x, String name) {
        Tensor out = inner.activation(x, name);
        if (!record(x)) {
            return out;
        }
        return out.withGradFn(new Node(x) {
            @Override
            public Tensor[] backward(Tensor g) {
                float[] xd = x.data();
                float[] gd = g.data();
                float[] dx = new float[xd.length];
                for (int i = 0; i < xd.length; i++) {
                    dx[i] = (float) (gd[i] * derivative(name, xd[i]));
                }
                return new Tensor[] {Tensor.of(dx, x.shape())};
            }
        });
    }

    private static double derivative(String name, double v) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> {
                double c = Math.sqrt(2.0 / Math.PI);
                double u = c * (v + 0.044715 * v * v * v);
                double t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
            }
            case "gelu" -> {
                double cdf = 0.5 * (1 + org.apache.commons.math3.special.Erf.erf(v / Math.sqrt(2)));
                yield cdf + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
            }
            case "silu", "swish" -> {
                double s = 1 / (1 + Math.exp(-v));
                yield s * (1 + v * (1 - s));
            }
            case "relu" -> v > 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("no derivative for activation '" + name + "'");
        };
    }

    // ---- rotary embedding ----------------------------------------------------------------------

    @Override
    public Tensor rope(Tensor x, int heads, Tensor cos, Tensor sin) {
        Tensor out = inner.rope(x, heads, cos, sin);
        if (!record(x)) {
            return out;
        }
        return out.withGradFn(new Node(x) {
            @Override
            public Tensor[] backward(Tensor g) {
                // The rotation's transpose: rotate by -theta.
                return new Tensor[] {inner.rope(g, heads, cos, inner.scale(sin, -1f))};
            }
        });
    }

    // ---- attention -----------------------------------------------------------------------------

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, KvBuffer cache, int layer, AttentionSpec spec) {
        if (!record(q, k, v)) {
            return inner.attention(q, k, v, cache, layer, spec);
        }
        cache.write(layer, k, v, spec.qLen());
        float[] keys = cache.keys(layer);
        float[] values = cache.values(layer);
        float[][] probs = new float[spec.batch() * spec.heads()][];
        Tensor out = CpuBackend.attend(q, keys, values, spec, probs);
        return out.withGradFn(new AttentionNode(q, k, v, keys, values, spec, probs));
    }

    /** Backward of scaled-dot-product attention with GQA, from the kept attention weights. */
    private static final class AttentionNode extends Node {
        private float[] keys;
        private float[] values;
        private float[][] probs;
        private final AttentionSpec spec;

        AttentionNode(Tensor q, Tensor k, Tensor v, float[] keys, float[] values, AttentionSpec spec, float[][] probs) {
            super(q, k, v);
            this.keys = keys;
            this.values = values;
            this.spec = spec;
            this.probs = probs;
        }

        @Override
        public Tensor[] backward(Tensor g) {
            int b = spec.batch();
            int t = spec.qLen();
            int heads = spec.heads();
            int kvHeads = spec.kvHeads();
            int d = spec.headDim();
            int rep = heads / kvHeads;
            int s = spec.kvLen();
            int qw = heads * d;
            int kvw = kvHeads * d;
            int cap = spec.kvCapacity();
            float scale = spec.scale();
            float[] qd = input(0).data();
            float[] gd = g.data();
            float[] dq = new float[b * t * qw];
            float[] dk = new float[b * t * kvw];
            float[] dv = new float[b * t * kvw];
            Parallel.forRange(b * kvHeads, (first, last) -> { for (int task = first; task < last; task++) {
                int row = task / kvHeads;
                int kvh = task % kvHeads;
                int kvBase = row * cap * kvw + kvh * d;
                float[] dKfull = new float[s * d];
                float[] dVfull = new float[s * d];
                float[] dP = new float[t * s];
                for (int h = kvh * rep; h < (kvh + 1) * rep; h++) {
                    float[] p = probs[row * heads + h];
                    int qOff = row * t * qw + h * d;
                    // dV[s, d] += P^T [s, t] . dO [t, d]
                    Gemm.sgemm(true, false, s, d, t, 1f, p, 0, s, gd, qOff, qw, 1f, dVfull, 0, d);
                    // dP[t, s] = dO [t, d] . V^T
                    Gemm.sgemm(false, true, t, s, d, 1f, gd, qOff, qw, values, kvBase, kvw, 0f, dP, 0, s);
                    // dS = P * (dP - rowsum(dP * P)); rows without a visible key had constant weights.
                    for (int i = 0; i < t; i++) {
                        int off = i * s;
                        if (!hasVisibleKey(row, spec.past() + i, s)) {
                            java.util.Arrays.fill(dP, off, off + s, 0f);
                            continue;
                        }
                        double dot = 0;
                        for (int j = 0; j < s; j++) {
                            dot += (double) dP[off + j] * p[off + j];
                        }
                        for (int j = 0; j < s; j++) {
                            dP[off + j] = (float) (p[off + j] * (dP[off + j] - dot));
                        }
                    }
                    // dQ [t, d] = scale * dS [t, s] . K [s, d]
                    Gemm.sgemm(false, false, t, d, s, scale, dP, 0, s, keys, kvBase, kvw, 0f, dq, qOff, qw);
                    // dK [s, d] += scale * dS^T [s, t] . Q [t, d]
                    Gemm.sgemm(true, false, s, d, t, scale, dP, 0, s, qd, qOff, qw, 1f, dKfull, 0, d);
                }
                // Only the slots written by this call belong to k and v.
                for (int i = 0; i < t; i++) {
                    int src = (spec.past() + i) * d;
                    int dst = (row * t + i) * kvw + kvh * d;
                    System.arraycopy(dKfull, src, dk, dst, d);
                    System.arraycopy(dVfull, src, dv, dst, d);
                }
            } });
            return new Tensor[] {
                needs(0) ? Tensor.of(dq, b * t, qw) : null,
                needs(1) ? Tensor.of(dk, b * t, kvw) : null,
                needs(2) ? Tensor.of(dv, b * t, kvw) : null};
        }

        private boolean hasVisibleKey(int row, int qSlot, int s) {
            for (int j = 0; j <= Math.min(qSlot, s - 1); j++) {
                if (spec.visible(row, qSlot, j)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        protected void releaseSaved() {
            keys = null;
            values = null;
            probs = null;
        }
    }

    // ---- loss ----------------------------------------------------------------------------------

    @Override
    public Tensor crossEntropyLoss(Tensor logits, int[] labels) {
        Tensor out = inner.crossEntropyLoss(logits, labels);
        if (!record(logits)) {
            return out;
        }
        return out.withGradFn(new Node(logits) {
            @Override
            public Tensor[] backward(Tensor g) {
                int n = logits.dim(0);
                int v = logits.dim(1);
                float[] x = logits.data();
                int count = 0;
                for (int label : labels) {
                    count += label == -100 ? 0 : 1;
                }
                float[] dx = new float[x.length];
                if (count == 0) {
                    return new Tensor[] {Tensor.of(dx, logits.shape())};
                }
                double scale = g.getFloat(0) / (double) count;
                Parallel.forRange(n, (first, last) -> { for (int i = first; i < last; i++) {
                    if (labels[i] == -100) {
                        continue;
                    }
                    int off = i * v;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < v; j++) {
                        max = Math.max(max, x[off + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < v; j++) {
                        sum += Math.exp(x[off + j] - max);
                    }
                    for (int j = 0; j < v; j++) {
                        dx[off + j] = (float) (Math.exp(x[off + j] - max) / sum * scale);
                    }
                    dx[off + labels[i]] -= (float) scale;
                } });
                return new Tensor[] {Tensor.of(dx, logits.shape())};
            }
        });
    }

    // ---- shape ops -----------------------------------------------------------------------------

    @Override
    public Tensor[] split(Tensor x, int... widths) {
        Tensor[] parts = inner.split(x, widths);
        if (!record(x)) {
            return parts;
        }
        int n = x.dim(0);
        int w = x.dim(1);
        int col = 0;
        for (int p = 0; p < parts.length; p++) {
            final int c0 = col;
            final int width = widths[p];
            parts[p] = parts[p].withGradFn(new Node(x) {
                @Override
                public Tensor[] backward(Tensor g) {
                    float[] full = new float[n * w];
                    float[] gd = g.data();
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(gd, i * width, full, i * w + c0, width);
                    }
                    return new Tensor[] {Tensor.of(full, n, w)};
                }
            });
            col += width;
        }
        return parts;
    }

    @Override
    public Tensor selectRows(Tensor x, int[] rows) {
        Tensor out = inner.selectRows(x, rows);
        if (!record(x)) {
            return out;
        }
        return out.withGradFn(new Node(x) {
            @Override
            public Tensor[] backward(Tensor g) {
                int w = x.dim(1);
                float[] full = zerosLike(x);
                float[] gd = g.data();
                for (int i = 0; i < rows.length; i++) {
                    for (int j = 0; j < w; j++) {
                        full[rows[i] * w + j] += gd[i * w + j];
                    }
                }
                return new Tensor[] {Tensor.of(full, x.shape())};
            }
        });
    }
}
