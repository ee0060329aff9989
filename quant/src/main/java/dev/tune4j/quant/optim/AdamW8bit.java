package dev.tune4j.quant.optim;

import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.Functional;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.train.Optimizer;
import dev.tune4j.train.ParamGroup;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bitsandbytes' {@code AdamW8bit} (blockwise): both Adam moments are held as one byte per
 * element, the first under the signed dynamic map and the second under the unsigned one, with a
 * float32 absmax per block of {@value #BLOCKSIZE} elements ({@code state1}/{@code absmax1},
 * {@code state2}/{@code absmax2}). Each step dequantizes a block, applies the AdamW update in
 * float32 and re-quantizes it with a fresh absmax. Parameters with fewer than
 * {@code min_8bit_size} (4096) elements keep float32 moments, as bitsandbytes does.
 *
 * <p>State per parameter: 2 bytes plus 8 bytes per 256-element block (2.03 bytes), against 8 for
 * torch's AdamW. The update is computed like torch's: decoupled decay, then
 * {@code p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)}.
 *
 * <pre>{@code
 * // bitsandbytes: bnb.optim.AdamW8bit(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
 * // transformers: TrainingArguments(optim="adamw_8bit")
 * var opt = new AdamW8bit(groups, 0.9, 0.999, 1e-8);
 * }</pre>
 */
public final class AdamW8bit implements Optimizer {
    /** Elements per absmax block of the 8-bit states (bitsandbytes' blockwise optimizers). */
    public static final int BLOCKSIZE = 256;
    /** bitsandbytes' default {@code min_8bit_size}. */
    public static final int DEFAULT_MIN_8BIT_SIZE = 4096;
    /** Elements dequantized at once during a step (a whole number of blocks). */
    private static final int CHUNK = 64 * BLOCKSIZE;
    private static final float[] SIGNED = Functional.createDynamicMap(true, 7, 8);
    private static final float[] UNSIGNED = Functional.createDynamicMap(false, 7, 8);

    private final List<ParamGroup> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final int min8bitSize;
    private final Map<String, Quantized> quantized = new HashMap<>();
    private final Map<String, float[]> expAvg = new HashMap<>();
    private final Map<String, float[]> expAvgSq = new HashMap<>();
    private final Map<String, Long> steps = new HashMap<>();

    /** The 8-bit moments of one parameter. */
    private record Quantized(byte[] state1, float[] absmax1, byte[] state2, float[] absmax2) {
        static Quantized zeros(int n) {
            int blocks = (n + BLOCKSIZE - 1) / BLOCKSIZE;
            // Code 127 of the signed map and code 0 of the unsigned map are 0.0.
            byte[] s1 = new byte[n];
            java.util.Arrays.fill(s1, (byte) 127);
            return new Quantized(s1, new float[blocks], new byte[n], new float[blocks]);
        }
    }

    /** With bitsandbytes' {@code min_8bit_size} of 4096. */
    public AdamW8bit(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        this(groups, beta1, beta2, eps, DEFAULT_MIN_8BIT_SIZE);
    }

    /**
     * @param min8bitSize parameters with fewer elements keep float32 moments
     */
    public AdamW8bit(List<ParamGroup> groups, double beta1, double beta2, double eps, int min8bitSize) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("AdamW8bit needs 0 <= betas < 1 and eps >= 0, found betas=(" + beta1
                    + ", " + beta2 + "), eps=" + eps);
        }
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.min8bitSize = min8bitSize;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public void step() {
        for (ParamGroup g : groups) {
            double lr = g.lr();
            float decay = (float) (1 - lr * g.weightDecay());
            for (var e : g.params().entrySet()) {
                Parameter p = e.getValue();
                if (p.grad() == null) {
                    continue;
                }
                String name = e.getKey();
                float[] w = p.value().data();
                float[] grad = p.grad().data();
                long t = steps.merge(name, 1L, Long::sum);
                Coefficients c = new Coefficients(lr, t, decay);
                if (w.length < min8bitSize) {
                    float[] m = expAvg.computeIfAbsent(name, k -> new float[w.length]);
                    float[] v = expAvgSq.computeIfAbsent(name, k -> new float[w.length]);
                    update(c, w, grad, m, v, 0, w.length);
                } else {
                    step8bit(c, w, grad, quantized.computeIfAbsent(name, k -> Quantized.zeros(w.length)));
                }
            }
        }
    }

    /** Scalars of one step, computed in double as Python does and used in float32. */
    private final class Coefficients {
        final float decay;
        final float stepSize;
        final float bc2;
        final float b1 = (float) beta1;
        final float b2 = (float) beta2;
        final float oneMinusB1 = (float) (1 - beta1);
        final float oneMinusB2 = (float) (1 - beta2);
        final float epsF = (float) eps;

        Coefficients(double lr, long t, float decay) {
            this.decay = decay;
            this.stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
            this.bc2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
        }
    }

    /** The AdamW update of elements [from, to) with moments m, v indexed from {@code from}. */
    private static void update(Coefficients c, float[] w, float[] grad, float[] m, float[] v, int from, int to) {
        for (int i = from, j = 0; i < to; i++, j++) {
            float gi = grad[i];
            w[i] = w[i] * c.decay;
            m[j] = m[j] * c.b1 + gi * c.oneMinusB1;
            v[j] = v[j] * c.b2 + gi * gi * c.oneMinusB2;
            float denom = (float) Math.sqrt(v[j]) / c.bc2 + c.epsF;
            w[i] = w[i] - c.stepSize * (m[j] / denom);
        }
    }

    private static void step8bit(Coefficients c, float[] w, float[] grad, Quantized q) {
        int n = w.length;
        float[] m = new float[Math.min(CHUNK, n)];
        float[] v = new float[m.length];
        byte[] codes1 = new byte[m.length];
        byte[] codes2 = new byte[m.length];
        float[] abs1 = new float[CHUNK / BLOCKSIZE];
        float[] abs2 = new float[CHUNK / BLOCKSIZE];
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            if (len != m.length) {
                m = new float[len];
                v = new float[len];
                codes1 = new byte[len];
                codes2 = new byte[len];
            }
            int b0 = start / BLOCKSIZE;
            for (int i = 0; i < len; i++) {
                int b = b0 + i / BLOCKSIZE;
                m[i] = SIGNED[q.state1[start + i] & 0xFF] * q.absmax1[b];
                v[i] = UNSIGNED[q.state2[start + i] & 0xFF] * q.absmax2[b];
            }
            update(c, w, grad, m, v, start, start + len);
            int blocks = (len + BLOCKSIZE - 1) / BLOCKSIZE;
            Functional.quantizeBlockwise(m, SIGNED, BLOCKSIZE, codes1, abs1);
            Functional.quantizeBlockwise(v, UNSIGNED, BLOCKSIZE, codes2, abs2);
            System.arraycopy(codes1, 0, q.state1, start, len);
            System.arraycopy(codes2, 0, q.state2, start, len);
            System.arraycopy(abs1, 0, q.absmax1, b0, blocks);
            System.arraycopy(abs2, 0, q.absmax2, b0, blocks);
        }
    }

    /**
     * Bytes of optimizer state held for the parameters stepped so far: codes and absmax of the
     * 8-bit moments, float32 moments of the small parameters.
     */
    public long stateBytes() {
        long bytes = 0;
        for (Quantized q : quantized.values()) {
            bytes += q.state1.length + q.state2.length + 4L * (q.absmax1.length + q.absmax2.length);
        }
        for (float[] m : expAvg.values()) {
            bytes += 4L * m.length;
        }
        for (float[] v : expAvgSq.values()) {
            bytes += 4L * v.length;
        }
        return bytes;
    }

    /** The first moment of {@code name} as float32 (dequantized for an 8-bit state), or null before its first step. */
    public float[] expAvg(String name) {
        Quantized q = quantized.get(name);
        if (q != null) {
            float[] out = new float[q.state1.length];
            Functional.dequantizeBlockwise(q.state1, q.absmax1, SIGNED, BLOCKSIZE, out);
            return out;
        }
        float[] m = expAvg.get(name);
        return m == null ? null : m.clone();
    }

    /** The second moment of {@code name} as float32, or null before its first step. */
    public float[] expAvgSq(String name) {
        Quantized q = quantized.get(name);
        if (q != null) {
            float[] out = new float[q.state2.length];
            Functional.dequantizeBlockwise(q.state2, q.absmax2, UNSIGNED, BLOCKSIZE, out);
            return out;
        }
        float[] v = expAvgSq.get(name);
        return v == null ? null : v.clone();
    }

    /** Whether {@code name}'s moments are stored in 8 bits. */
    public boolean is8bit(String name) {
        return quantized.containsKey(name);
    }

    /**
     * bitsandbytes' state names: {@code state1}, {@code absmax1}, {@code state2},
     * {@code absmax2} (U8 codes, F32 scales) for 8-bit moments; {@code exp_avg},
     * {@code exp_avg_sq} for float32 ones; each keyed {@code <state>/<param name>}.
     */
    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                String name = e.getKey();
                Quantized q = quantized.get(name);
                if (q != null) {
                    out.put("state1/" + name, u8(q.state1));
                    out.put("absmax1/" + name, Tensor.of(q.absmax1.clone(), q.absmax1.length));
                    out.put("state2/" + name, u8(q.state2));
                    out.put("absmax2/" + name, Tensor.of(q.absmax2.clone(), q.absmax2.length));
                } else if (expAvg.containsKey(name)) {
                    int[] shape = e.getValue().value().shape();
                    out.put("exp_avg/" + name, Tensor.of(expAvg.get(name).clone(), shape));
                    out.put("exp_avg_sq/" + name, Tensor.of(expAvgSq.get(name).clone(), shape));
                }
            }
        }
        return out;
    }

    private static Tensor u8(byte[] b) {
        return Tensor.wrap(MemorySegment.ofArray(b.clone()), DType.U8, b.length);
    }

    @Override
    public Map<String, Long> stepCounts() {
        return Map.copyOf(steps);
    }

    @Override
    public void loadState(Map<String, Tensor> tensors, Map<String, Long> stepCounts) {
        for (ParamGroup g : groups) {
            for (var e : g.params().entrySet()) {
                String name = e.getKey();
                long n = e.getValue().numel();
                if (!stepCounts.containsKey(name)) {
                    throw new IllegalArgumentException("optimizer state has no step count for parameter '" + name + "'");
                }
                if (tensors.containsKey("state1/" + name)) {
                    byte[] s1 = bytes(need(tensors, "state1/" + name), n);
                    byte[] s2 = bytes(need(tensors, "state2/" + name), n);
                    int blocks = (int) ((n + BLOCKSIZE - 1) / BLOCKSIZE);
                    float[] a1 = floats(need(tensors, "absmax1/" + name), blocks);
                    float[] a2 = floats(need(tensors, "absmax2/" + name), blocks);
                    quantized.put(name, new Quantized(s1, a1, s2, a2));
                } else {
                    expAvg.put(name, floats(need(tensors, "exp_avg/" + name), n));
                    expAvgSq.put(name, floats(need(tensors, "exp_avg_sq/" + name), n));
                }
                steps.put(name, stepCounts.get(name));
            }
        }
    }

    private static Tensor need(Map<String, Tensor> tensors, String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("optimizer state has no '" + key
                    + "': the checkpoint was written for another model, adapter or optimizer");
        }
        return t;
    }

    private static byte[] bytes(Tensor t, long n) {
        if (t.dtype() != DType.U8 || t.numel() != n) {
            throw new IllegalArgumentException("8-bit optimizer state: expected U8 of " + n + " elements, found "
                    + t.dtype() + " of " + t.numel());
        }
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    private static float[] floats(Tensor t, long n) {
        if (t.numel() != n) {
            throw new IllegalArgumentException("optimizer state: expected " + n + " elements, found " + t.numel());
        }
        return t.toFloatArray();
    }
}
