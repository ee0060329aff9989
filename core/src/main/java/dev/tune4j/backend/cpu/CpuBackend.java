package dev.tune4j.backend.cpu;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Backend;
import dev.tune4j.backend.KvBuffer;
import dev.tune4j.tensor.Tensor;

/**
 * The pure-Java backend: eager F32 compute on the heap, weights read in place from memory-mapped
 * checkpoints. Matrix products go through {@link Gemm}.
 */
public final class CpuBackend implements Backend {
    /** The shared instance; the backend holds no per-call state. */
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public String name() {
        return "cpu";
    }

    private static void parallelFor(int n, java.util.function.IntConsumer body) {
        Parallel.forRange(n, (start, end) -> {
            for (int i = start; i < end; i++) {
                body.accept(i);
            }
        });
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        int vocab = table.dim(0);
        int h = table.dim(1);
        float[] out = new float[ids.length * h];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id + " outside the vocabulary of " + vocab);
            }
            if (table.isHeapF32()) {
                System.arraycopy(table.data(), id * h, out, i * h, h);
            } else {
                long base = (long) id * h;
                for (int j = 0; j < h; j++) {
                    out[i * h + j] = table.getFloat(base + j);
                }
            }
        }
        return Tensor.of(out, ids.length, h);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int n = x.dim(0);
        int in = x.dim(1);
        int out = weight.dim(0);
        float[] y = new float[n * out];
        Gemm.linear(x.data(), 0, n, in, weight, y, 0);
        if (bias != null) {
            addRowBias(y, n, out, bias.toF32().data());
        }
        return Tensor.of(y, n, out);
    }

    @Override
    public Tensor conv1d(Tensor x, Tensor weight, Tensor bias) {
        int n = x.dim(0);
        int in = x.dim(1);
        int out = weight.dim(1);
        if (weight.dim(0) != in) {
            throw new IllegalArgumentException("Conv1D weight " + weight + " does not take inputs of width " + in);
        }
        float[] y = new float[n * out];
        Gemm.sgemm(false, false, n, out, in, 1f, x.data(), 0, in, weight.toF32().data(), 0, out, 0f, y, 0, out);
        if (bias != null) {
            addRowBias(y, n, out, bias.toF32().data());
        }
        return Tensor.of(y, n, out);
    }

    private static void addRowBias(float[] y, int n, int width, float[] b) {
        for (int i = 0; i < n; i++) {
            int off = i * width;
            for (int j = 0; j < width; j++) {
                y[off + j] += b[j];
            }
        }
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        float[] x = a.data();
        float[] y = b.data();
        if (x.length != y.length) {
            throw new IllegalArgumentException("add: " + a + " and " + b + " differ in size");
        }
        float[] out = new float[x.length];
        VectorOps.add(x, 0, y, 0, out, 0, x.length);
        return Tensor.of(out, a.shape());
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        int n = x.dim(0);
        int h = x.dim(1);
        float[] in = x.data();
        float[] w = weight.toF32().data();
        float[] out = new float[in.length];
        parallelFor(n, i -> VectorOps.rmsnorm(in, i * h, w, 0, eps, out, i * h, h));
        return Tensor.of(out, n, h);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int n = x.dim(0);
        int h = x.dim(1);
        float[] in = x.data();
        float[] w = weight.toF32().data();
        float[] b = bias == null ? null : bias.toF32().data();
        float[] out = new float[in.length];
        parallelFor(n, i -> {
            int off = i * h;
            float sum = 0f;
            for (int j = 0; j < h; j++) {
                sum += in[off + j];
            }
            float mean = sum / h;
            float var = 0f;
            for (int j = 0; j < h; j++) {
                float d = in[off + j] - mean;
                var += d * d;
            }
            float r = (float) (1.0 / Math.sqrt(var / h + eps));
            for (int j = 0; j < h; j++) {
                float v = (in[off + j] - mean) * r * w[j];
                out[off + j] = b == null ? v : v + b[j];
            }
        });
        return Tensor.of(out, n, h);
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        float[] g = gate.data();
        float[] u = up.data();
        float[] out = new float[g.length];
        VectorOps.siluMul(g, 0, u, 0, out, 0, g.length);
        return Tensor.of(out, gate.shape());
    }

    @Override
    public Tensor activation(Tensor x, String name) {
        float[] in = x.data();
        float[] out = new float[in.length];
        switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> {
                final float c = (float) Math.sqrt(2.0 / Math.PI);
                for (int i = 0; i < in.length; i++) {
                    float v = in[i];
                    out[i] = 0.5f * v * (1f + (float) Math.tanh(c * (v + 0.044715f * v * v * v)));
                }
            }
            case "gelu" -> {
                for (int i = 0; i < in.length; i++) {
                    double v = in[i];
                    out[i] = (float) (0.5 * v * (1.0 + Erf.erf(v / Math.sqrt(2.0))));
                }
            }
            case "silu", "swish" -> {
                for (int i = 0; i < in.length; i++) {
                    float v = in[i];
                    out[i] = v / (1f + (float) Math.exp(-v));
                }
            }
            case "relu" -> {
                for (int i = 0; i < in.length; i++) {
                    out[i] = Math.max(0f, in[i]);
                }
            }
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "'; supported: gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, silu, swish, relu");
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor rope(Tensor x, int heads, Tensor cos, Tensor sin) {
        int n = x.dim(0);
        int width = x.dim(1);
        int d = width / heads;
        int half = d / 2;
        float[] in = x.data();
        float[] c = cos.data();
        float[] s = sin.data();
        float[] out = new float[in.length];
        for (int i = 0; i < n; i++) {
            int row = i * width;
            int tab = i * half;
            for (int h = 0; h < heads; h++) {
                int off = row + h * d;
                for (int j = 0; j < half; j++) {
                    float x1 = in[off + j];
                    float x2 = in[off + j + half];
                    float cj = c[tab + j];
                    float sj = s[tab + j];
                    out[off + j] = x1 * cj - x2 * sj;
                    out[off + j + half] = x2 * cj + x1 * sj;
                }
            }
        }
        return Tensor.of(out, n, width);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, KvBuffer cache, int layer, AttentionSpec spec) {
        cache.write(layer, k, v, spec.qLen());
        return attend(q, cache.keys(layer), cache.values(layer), spec, null);
    }

    /**
     * softmax(q k^T * scale + mask) v over buffers laid out [batch, capacity, kvWidth]. When
     * {@code probs} is given ([batch * heads][qLen * kvLen]) the attention weights are kept there
     * for a backward pass.
     */
    public static Tensor attend(Tensor q, float[] keys, float[] values, AttentionSpec spec, float[][] probs) {
        int b = spec.batch();
        int t = spec.qLen();
        int heads = spec.heads();
        int d = spec.headDim();
        int rep = heads / spec.kvHeads();
        int s = spec.kvLen();
        int qWidth = heads * d;
        int kvWidth = spec.kvHeads() * d;
        float[] qd = q.data();
        float[] out = new float[b * t * qWidth];
        if (t == 1 && probs == null) {
            attendOneQuery(qd, keys, values, spec, out);
            return Tensor.of(out, b, qWidth);
        }
        parallelFor(b * heads, task -> {
            int row = task / heads;
            int h = task % heads;
            int kvh = h / rep;
            float[] scores = new float[t * s];
            int kvBase = row * spec.kvCapacity() * kvWidth + kvh * d;
            // scores[t, s] = Q_h [t, d] . K_h [s, d]^T
            Gemm.sgemm(false, true, t, s, d, spec.scale(), qd, row * t * qWidth + h * d, qWidth,
                    keys, kvBase, kvWidth, 0f, scores, 0, s);
            int[] mask = spec.mask() == null ? null : spec.mask()[row];
            for (int i = 0; i < t; i++) {
                int qSlot = spec.past() + i;
                maskedSoftmax(scores, i * s, s, spec, row, qSlot, mask);
            }
            if (probs != null) {
                probs[task] = scores;
            }
            // out_h [t, d] = P [t, s] . V_h [s, d]
            Gemm.sgemm(false, false, t, d, s, 1f, scores, 0, s, values, kvBase, kvWidth, 0f,
                    out, row * t * qWidth + h * d, qWidth);
        });
        return Tensor.of(out, b * t, qWidth);
    }

    /**
     * Decode: one new query per row. The {@code rep} query heads that share a kv head are
     * adjacent in the query row, so they form one [rep, d] matrix against that head's keys and
     * values: each cached key and value is read once per kv head rather than once per query
     * head. Same arithmetic per query as the general path; only the grouping differs.
     */
    private static void attendOneQuery(float[] qd, float[] keys, float[] values, AttentionSpec spec, float[] out) {
        int heads = spec.heads();
        int kvHeads = spec.kvHeads();
        int d = spec.headDim();
        int rep = heads / kvHeads;
        int s = spec.kvLen();
        int qWidth = heads * d;
        int kvWidth = kvHeads * d;
        int qSlot = spec.past();
        parallelFor(spec.batch() * kvHeads, task -> {
            int row = task / kvHeads;
            int kvh = task % kvHeads;
            int kvBase = row * spec.kvCapacity() * kvWidth + kvh * d;
            int qOff = row * qWidth + kvh * rep * d;
            float[] scores = new float[rep * s];
            // scores[rep, s] = Q_g [rep, d] . K_h [s, d]^T
            Gemm.sgemm(false, true, rep, s, d, spec.scale(), qd, qOff, d, keys, kvBase, kvWidth, 0f, scores, 0, s);
            int[] mask = spec.mask() == null ? null : spec.mask()[row];
            for (int i = 0; i < rep; i++) {
                maskedSoftmax(scores, i * s, s, spec, row, qSlot, mask);
            }
            // out_g [rep, d] = P [rep, s] . V_h [s, d]
            Gemm.sgemm(false, false, rep, d, s, 1f, scores, 0, s, values, kvBase, kvWidth, 0f, out, qOff, d);
        });
    }

    /**
     * Softmax of the scores of query slot {@code qSlot} of batch row {@code row} over the keys it
     * may see (the others get weight 0); a query that sees no key gets transformers' weights for it.
     */
    private static void maskedSoftmax(float[] scores, int off, int s, AttentionSpec spec, int row, int qSlot, int[] mask) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < s; j++) {
            if (!spec.visible(row, qSlot, j)) {
                scores[off + j] = Float.NEGATIVE_INFINITY;
            } else if (scores[off + j] > max) {
                max = scores[off + j];
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            uniformOverMaskedKeys(scores, off, s, qSlot, mask, spec.maskedRows());
            return;
        }
        VectorOps.scale(1f / VectorOps.expSum(scores, off, s, max), scores, off, s);
    }

    /** The weights transformers gives a query that sees no key (see AttentionSpec.MaskedRows). */
    private static void uniformOverMaskedKeys(float[] p, int off, int s, int qSlot, int[] mask,
                                              AttentionSpec.MaskedRows policy) {
        int count = 0;
        for (int j = 0; j < s; j++) {
            boolean inSet = policy == AttentionSpec.MaskedRows.ALL_KEYS || j <= qSlot || mask == null || mask[j] != 0;
            p[off + j] = inSet ? 1f : 0f;
            count += inSet ? 1 : 0;
        }
        float w = 1f / count;
        for (int j = 0; j < s; j++) {
            p[off + j] *= w;
        }
    }

    @Override
    public Tensor crossEntropyLoss(Tensor logits, int[] labels) {
        return Tensor.of(new float[] {crossEntropyValue(logits, labels)}, 1);
    }

    private static float crossEntropyValue(Tensor logits, int[] labels) {
        int n = logits.dim(0);
        int v = logits.dim(1);
        float[] x = logits.data();
        double total = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            int label = labels[i];
            if (label == -100) {
                continue;
            }
            if (label < 0 || label >= v) {
                throw new IndexOutOfBoundsException("label " + label + " outside the vocabulary of " + v);
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
            total += Math.log(sum) + max - x[off + label];
            count++;
        }
        return count == 0 ? Float.NaN : (float) (total / count);
    }

    @Override
    public Tensor[] split(Tensor x, int... widths) {
        int n = x.dim(0);
        int w = x.dim(1);
        int sum = 0;
        for (int wi : widths) {
            sum += wi;
        }
        if (sum != w) {
            throw new IllegalArgumentException("split widths sum to " + sum + " but the tensor is " + w + " wide");
        }
        float[] d = x.data();
        Tensor[] out = new Tensor[widths.length];
        int col = 0;
        for (int p = 0; p < widths.length; p++) {
            float[] o = new float[n * widths[p]];
            for (int i = 0; i < n; i++) {
                System.arraycopy(d, i * w + col, o, i * widths[p], widths[p]);
            }
            out[p] = Tensor.of(o, n, widths[p]);
            col += widths[p];
        }
        return out;
    }

    @Override
    public Tensor selectRows(Tensor x, int[] rows) {
        int w = x.dim(1);
        float[] d = x.data();
        float[] out = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(d, rows[i] * w, out, i * w, w);
        }
        return Tensor.of(out, rows.length, w);
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        float[] d = x.data();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] * s;
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        float[] x = a.data();
        float[] y = b.data();
        if (x.length != y.length) {
            throw new IllegalArgumentException("mul: " + a + " and " + b + " differ in size");
        }
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[i] * y[i];
        }
        return Tensor.of(out, a.shape());
    }

    @Override
    public Tensor mulRowVector(Tensor x, Tensor v) {
        int w = x.dim(x.rank() - 1);
        float[] d = x.data();
        float[] s = v.toF32().data();
        if (s.length != w) {
            throw new IllegalArgumentException("mulRowVector: vector of " + s.length + " for rows of " + w);
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] * s[i % w];
        }
        return Tensor.of(out, x.shape());
    }

    @Override
    public Tensor dropout(Tensor x, float p, java.util.random.RandomGenerator random) {
        if (p == 0f) {
            return x;
        }
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        float[] d = x.data();
        float[] mask = dropoutMask(d.length, p, random);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] * mask[i];
        }
        return Tensor.of(out, x.shape());
    }

    /**
     * The scaled keep mask of {@code n} elements dropout multiplies by: per element, in order, 0
     * with probability {@code p}, else {@code 1 / (1 - p)}. The one place the draws are made, so
     * every backend (and the ONNX training graph's mask input) drops the same elements for a seed.
     */
    public static float[] dropoutMask(int n, float p, java.util.random.RandomGenerator random) {
        float[] mask = new float[n];
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextFloat() < p ? 0f : keep;
        }
        return mask;
    }
}
