package dev.tune4j.lora;

import dev.tune4j.backend.Backend;
import dev.tune4j.nn.Conv1D;
import dev.tune4j.nn.DenseWeight;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peft's {@code lora.Linear}: a {@link Linear} or GPT-2 {@link Conv1D} with low-rank adapters beside
 * it. For each adapter, {@code lora_A} is [r, in] and {@code lora_B} is [out, r], and
 *
 * <pre>
 * y = base(x) + scaling * B(A(dropout(x)))                 scaling = alpha / r   (rsLoRA: alpha / sqrt(r))
 * DoRA: y = base(x) + (g - 1) * (W x) + g * scaling * B(A(dropout(x))),   g = m / ||W + scaling B A||_row
 * </pre>
 *
 * where the row norm is treated as a constant (detached), as in peft and the DoRA paper §4.3.
 * Several adapters can live in one layer; the active ones are summed. The layer sits in the model
 * tree where the base layer was, under the same name, with children {@code base_layer},
 * {@code lora_A}, {@code lora_B} and {@code lora_magnitude_vector}, so parameter names are peft's:
 * {@code ...q_proj.lora_A.default.weight}.
 *
 * <p>Every product goes through {@link Backend} ops on {@link Parameter} values, so a backward pass
 * can be attached to the same ops; A, B and the magnitude are trainable parameters.
 */
public final class LoraLinear extends Module implements LinearLayer {
    private static final Logger LOG = LoggerFactory.getLogger(LoraLinear.class);
    /** The entry of {@code adapter_names} that means "no adapter" for a row. */
    public static final String BASE = "__base__";

    private final Backend backend;
    private final LinearLayer base;
    private final boolean fanInFanOut;
    private final int inFeatures;
    private final int outFeatures;
    private final Map<String, Integer> r = new LinkedHashMap<>();
    private final Map<String, Double> loraAlpha = new LinkedHashMap<>();
    private final Map<String, Double> scaling = new LinkedHashMap<>();
    private final Map<String, Double> dropout = new LinkedHashMap<>();
    private final Map<String, Boolean> useDora = new LinkedHashMap<>();
    private AdapterDict loraA;
    private AdapterDict loraB;
    private AdapterDict magnitude;
    private List<String> activeAdapters = List.of();
    private boolean disableAdapters;
    private final List<String> mergedAdapters = new ArrayList<>();
    private final Map<String, double[]> weightNormCache = new HashMap<>();
    private final Map<String, DoraCache> doraCache = new java.util.concurrent.ConcurrentHashMap<>();
    private final RandomGenerator dropoutRng;
    /** Per-row adapter names of the calling thread's current forward (peft's adapter_names), or none. */
    private final ThreadLocal<String[]> rowAdapters = new ThreadLocal<>();

    /**
     * Wraps {@code base}: a {@link Linear}, a {@link Conv1D} (whose [in, out] weight makes the layer
     * fan-in-fan-out), or another {@link LinearLayer} module such as a 4-bit layer. Forward passes
     * work over any of them; merging, PiSSA and OLoRA read the dense weight and need a Linear, a
     * Conv1D or a {@link DenseWeight} layer (a 4-bit one); DoRA needs a Linear or Conv1D.
     *
     * @param seed seeds the dropout masks of this layer
     */
    public LoraLinear(LinearLayer base, Backend backend, long seed) {
        if (!(base instanceof Module)) {
            throw new IllegalArgumentException("Target module " + base.getClass().getSimpleName() + " is not supported: "
                    + "a LoRA layer wraps a LinearLayer that is a Module.");
        }
        this.backend = backend;
        this.base = base;
        this.fanInFanOut = base instanceof Conv1D;
        this.inFeatures = base.inFeatures();
        this.outFeatures = base.outFeatures();
        this.dropoutRng = new SplittableRandom(seed);
        register("base_layer", (Module) base);
        loraA = register("lora_A", new AdapterDict());
        loraB = register("lora_B", new AdapterDict());
        magnitude = register("lora_magnitude_vector", new AdapterDict());
    }

    /**
     * peft's {@code update_layer}: adds adapter {@code name} with rank {@code rank} and initialises
     * it ({@link InitLoraWeights}); DoRA's magnitude starts at {@code ||W + s B A||_row}.
     */
    public void updateLayer(String name, int rank, double alpha, double dropoutP, InitLoraWeights init,
                            boolean rslora, boolean dora, RandomGenerator rng) {
        if (rank <= 0) {
            throw new IllegalArgumentException("`r` should be a positive integer value but the value passed is " + rank);
        }
        if (loraA.contains(name)) {
            throw new IllegalArgumentException("adapter '" + name + "' already exists in this layer");
        }
        double s = rslora ? alpha / Math.sqrt(rank) : alpha / rank;
        float[] a;
        float[] b;
        String kind = init.value().toLowerCase(java.util.Locale.ROOT);
        if (init.isPissa() || init.isOlora()) {
            if (!mergedAdapters.isEmpty()) {
                throw new IllegalStateException("cannot initialise " + init.value() + " on a merged layer; unmerge first");
            }
            float[] w = weightOutIn();
            LoraInit.Factors f = init.isPissa()
                    ? LoraInit.pissa(w, outFeatures, inFeatures, rank, s)
                    : LoraInit.olora(w, outFeatures, inFeatures, rank, s);
            a = f.a();
            b = f.b();
            setWeightOutIn(f.residual());
        } else if (kind.equals("loftq")) {
            throw new UnsupportedOperationException("init_lora_weights=\"loftq\" is not supported by tune4j");
        } else if (kind.equals("gaussian")) {
            a = LoraInit.normal(rng, rank * inFeatures, 1.0 / rank);
            b = new float[outFeatures * rank];
        } else if (kind.equals("false")) {
            // peft leaves both nn.Linear default inits in place: kaiming-uniform on A and on B.
            a = LoraInit.kaimingUniform(rng, rank, inFeatures);
            b = LoraInit.kaimingUniform(rng, outFeatures, rank);
        } else {
            a = LoraInit.kaimingUniform(rng, rank, inFeatures);
            b = new float[outFeatures * rank];
        }
        r.put(name, rank);
        loraAlpha.put(name, alpha);
        scaling.put(name, s);
        dropout.put(name, dropoutP);
        loraA.put(name, Tensor.of(a, rank, inFeatures), true);
        loraB.put(name, Tensor.of(b, outFeatures, rank), true);
        useDora.put(name, dora);
        if (dora) {
            float[] ba = Mat.matmul(b, outFeatures, rank, a, inFeatures);
            float[] w = weightOutIn();
            float[] m = new float[outFeatures];
            for (int i = 0; i < outFeatures; i++) {
                double sum = 0;
                for (int j = 0; j < inFeatures; j++) {
                    double v = w[i * inFeatures + j] + s * ba[i * inFeatures + j];
                    sum += v * v;
                }
                m[i] = (float) Math.sqrt(sum);
            }
            magnitude.put(name, Tensor.of(m, outFeatures), true);
        }
        setAdapter(activeAdapters);
    }

    // ---- forward ----

    @Override
    public Tensor forward(Tensor x) {
        Tensor result = base.forward(x);
        if (disableAdapters) {
            if (isMerged()) {
                unmerge();
                return base.forward(x);
            }
            return result;
        }
        String[] rows = rowAdapters.get();
        if (rows != null) {
            return mixedBatchForward(x, result, rows);
        }
        if (isMerged()) {
            return result;
        }
        for (String a : activeAdapters) {
            if (!loraA.contains(a)) {
                continue;
            }
            Tensor xd = dropout(x, a);
            Tensor lora = loraOutput(xd, a);
            if (!useDora.get(a)) {
                result = backend.add(result, backend.scale(lora, (float) (double) scaling.get(a)));
            } else {
                result = backend.add(result, doraExtra(xd, lora, a));
            }
        }
        return result;
    }

    /** {@code B(A(x))} without scaling: [n, out]. */
    private Tensor loraOutput(Tensor x, String a) {
        Tensor h = backend.linear(x, loraA.get(a).value(), null);      // (n, r)
        return backend.linear(h, loraB.get(a).value(), null);          // (n, out)
    }

    /**
     * DoRA's addition to the base output, {@code (g - 1) * (x W^T) + g * s * lora} with
     * {@code g = m / ||W + s B A||_row}: through backend ops, so m, A and B get gradients (the norm
     * is a constant, as peft detaches it).
     */
    private Tensor doraExtra(Tensor x, Tensor lora, String a) {
        Tensor g = backend.mul(magnitude.get(a).value(), inverseWeightNorm(a));      // (out)
        Tensor gMinusOne = backend.add(g, minusOnes());
        Tensor wx = fanInFanOut ? backend.conv1d(x, baseWeight().value(), null)
                : backend.linear(x, baseWeight().value(), null);                    // (n, out), no bias
        Tensor sLora = backend.scale(lora, (float) (double) scaling.get(a));
        return backend.add(backend.mulRowVector(wx, gMinusOne), backend.mulRowVector(sLora, g));
    }

    private Tensor minusOnes() {
        float[] m = new float[outFeatures];
        java.util.Arrays.fill(m, -1f);
        return Tensor.of(m, outFeatures);
    }

    /**
     * {@code 1 / ||W + s B A||_row}, [out]. Outside training it is cached against the identity of
     * the tensors it reads (a load, merge or {@code Parameter.set} replaces them), so decoding does
     * not recompute {@code B A} for every token; while training it is recomputed each pass, as an
     * optimizer may update values in place.
     */
    private Tensor inverseWeightNorm(String a) {
        Tensor[] key = {baseWeight().value(), loraA.get(a).value(), loraB.get(a).value()};
        if (!isTraining()) {
            DoraCache c = doraCache.get(a);
            if (c != null && c.key[0] == key[0] && c.key[1] == key[1] && c.key[2] == key[2]) {
                return c.inverseNorm;
            }
        }
        double[] norm = weightNorm(weightOutIn(), deltaOutIn(a));
        float[] inv = new float[outFeatures];
        for (int i = 0; i < outFeatures; i++) {
            inv[i] = (float) (1.0 / norm[i]);
        }
        Tensor t = Tensor.of(inv, outFeatures);
        if (!isTraining()) {
            doraCache.put(a, new DoraCache(key, t));
        }
        return t;
    }

    /** A DoRA inverse norm and the tensors it was computed from (compared by identity). */
    private record DoraCache(Tensor[] key, Tensor inverseNorm) {}

    private double[] weightNorm(float[] w, float[] delta) {
        double[] norm = new double[outFeatures];
        for (int i = 0; i < outFeatures; i++) {
            double sum = 0;
            for (int j = 0; j < inFeatures; j++) {
                int k = i * inFeatures + j;
                double v = (double) w[k] + delta[k];
                sum += v * v;
            }
            norm[i] = Math.sqrt(sum);
        }
        return norm;
    }

    private Tensor mixedBatchForward(Tensor x, Tensor result, String[] names) {
        int n = x.dim(0);
        int rows = names.length;
        if (n % rows != 0) {
            throw new IllegalArgumentException("Length of `adapter_names` should be the same as the number of inputs, but got "
                    + rows + " names for " + n + " tokens");
        }
        int per = n / rows;
        float[] out = result.data().clone();
        float[] xs = x.data();
        for (String a : new LinkedHashSet<>(List.of(names))) {
            if (a.equals(BASE) || !loraA.contains(a)) {
                continue;
            }
            List<Integer> sel = new ArrayList<>();
            for (int b = 0; b < rows; b++) {
                if (names[b].equals(a)) {
                    sel.add(b);
                }
            }
            float[] sub = new float[sel.size() * per * inFeatures];
            for (int i = 0; i < sel.size(); i++) {
                System.arraycopy(xs, sel.get(i) * per * inFeatures, sub, i * per * inFeatures, per * inFeatures);
            }
            Tensor xt = dropout(Tensor.of(sub, sel.size() * per, inFeatures), a);
            float[] l = loraOutput(xt, a).data();
            float s = (float) (double) scaling.get(a);
            for (int i = 0; i < sel.size(); i++) {
                int dst = sel.get(i) * per * outFeatures;
                int src = i * per * outFeatures;
                for (int k = 0; k < per * outFeatures; k++) {
                    out[dst + k] += l[src + k] * s;
                }
            }
        }
        return Tensor.of(out, n, outFeatures);
    }

    private Tensor dropout(Tensor x, String a) {
        double p = dropout.get(a);
        if (p <= 0 || !isTraining()) {
            return x;
        }
        return backend.dropout(x, (float) p, dropoutRng);
    }

    // ---- merging ----

    /**
     * peft's {@code get_delta_weight}: {@code scaling * B @ A}, [out, in], or [in, out] for a
     * fan-in-fan-out (Conv1D) base, i.e. in the layout of the base weight.
     */
    public Tensor getDeltaWeight(String adapter) {
        float[] d = deltaOutIn(adapter);
        return fanInFanOut ? Tensor.of(Mat.transpose(d, outFeatures, inFeatures), inFeatures, outFeatures)
                : Tensor.of(d, outFeatures, inFeatures);
    }

    /** {@code scaling * B @ A} in [out, in] layout. */
    float[] deltaOutIn(String adapter) {
        requireAdapter(adapter);
        int rank = r.get(adapter);
        float[] ba = Mat.matmul(loraB.get(adapter).value().toF32().data(), outFeatures, rank,
                loraA.get(adapter).value().toF32().data(), inFeatures);
        return Mat.scale(ba, scaling.get(adapter));
    }

    /**
     * peft's {@code merge}: folds the given adapters (null: the active ones) into the base weight,
     * {@code W += s B A}, or for DoRA {@code W = g (W + s B A)}. With {@code safeMerge} the result is
     * checked for NaN/Inf before it replaces the weight.
     */
    public void merge(List<String> adapterNames, boolean safeMerge) {
        List<String> names = new ArrayList<>(adapterNames == null ? activeAdapters : adapterNames);
        if (isMerged()) {
            names.removeAll(mergedAdapters);
            if (names.isEmpty()) {
                LOG.warn("All adapters are already merged, nothing to do.");
            } else {
                LOG.warn("Already following adapters were merged {}. You are now additionally merging {}.",
                        String.join(",", mergedAdapters), String.join(",", names));
            }
        }
        for (String a : names) {
            if (!loraA.contains(a)) {
                continue;
            }
            float[] w = weightOutIn();
            float[] delta = deltaOutIn(a);
            float[] merged = new float[w.length];
            if (!useDora.get(a)) {
                for (int i = 0; i < w.length; i++) {
                    merged[i] = w[i] + delta[i];
                }
            } else {
                double[] norm = weightNorm(w, delta);
                // The norm must come from the weights before the merge, so unmerge can divide it out.
                weightNormCache.put(a, norm);
                float[] m = magnitude.get(a).value().toF32().data();
                for (int i = 0; i < outFeatures; i++) {
                    float g = (float) (m[i] / norm[i]);
                    for (int j = 0; j < inFeatures; j++) {
                        int k = i * inFeatures + j;
                        merged[k] = g * (w[k] + delta[k]);
                    }
                }
            }
            if (safeMerge && !Mat.allFinite(merged)) {
                throw new IllegalStateException("NaNs detected in the merged weights. The adapter " + a
                        + " seems to be broken");
            }
            setWeightOutIn(merged);
            mergedAdapters.add(a);
        }
    }

    /** peft's {@code unmerge}: subtracts the merged adapters again, last merged first. */
    public void unmerge() {
        if (!isMerged()) {
            LOG.warn("Already unmerged. Nothing to do.");
            return;
        }
        while (!mergedAdapters.isEmpty()) {
            String a = mergedAdapters.remove(mergedAdapters.size() - 1);
            if (!loraA.contains(a)) {
                continue;
            }
            float[] w = weightOutIn();
            float[] delta = deltaOutIn(a);
            float[] orig = new float[w.length];
            if (!useDora.get(a)) {
                for (int i = 0; i < w.length; i++) {
                    orig[i] = w[i] - delta[i];
                }
            } else {
                double[] norm = weightNormCache.remove(a);
                float[] m = magnitude.get(a).value().toF32().data();
                for (int i = 0; i < outFeatures; i++) {
                    float g = (float) (m[i] / norm[i]);
                    for (int j = 0; j < inFeatures; j++) {
                        int k = i * inFeatures + j;
                        orig[k] = w[k] / g - delta[k];
                    }
                }
            }
            setWeightOutIn(orig);
        }
    }

    /** True when at least one adapter is folded into the base weight. */
    public boolean isMerged() {
        return !mergedAdapters.isEmpty();
    }

    /** The adapters folded into the base weight, in merge order. */
    public List<String> mergedAdapters() {
        return List.copyOf(mergedAdapters);
    }

    // ---- adapter management ----

    /**
     * peft's {@code set_adapter}: makes {@code names} the active adapters; their weights become
     * trainable and the others frozen.
     */
    public void setAdapter(List<String> names) {
        for (AdapterDict d : List.of(loraA, loraB, magnitude)) {
            for (String k : d.names()) {
                d.get(k).requiresGrad(names.contains(k));
            }
        }
        this.activeAdapters = List.copyOf(names);
    }

    /** The active adapters. */
    public List<String> activeAdapters() {
        return activeAdapters;
    }

    /** peft's {@code enable_adapters}: false makes the layer return the base output only. */
    public void enableAdapters(boolean enabled) {
        if (enabled) {
            setAdapter(activeAdapters);
            disableAdapters = false;
        } else {
            for (AdapterDict d : List.of(loraA, loraB, magnitude)) {
                for (String k : d.names()) {
                    d.get(k).requiresGrad(false);
                }
            }
            disableAdapters = true;
        }
    }

    /** True while adapters are disabled. */
    public boolean adaptersDisabled() {
        return disableAdapters;
    }

    /**
     * peft's {@code delete_adapter}. When the deleted adapter was active, the remaining active ones
     * stay, or else the first adapter left (by name) becomes active.
     */
    public void deleteAdapter(String name) {
        if (!loraA.contains(name)) {
            return;
        }
        if (mergedAdapters.contains(name)) {
            throw new IllegalStateException("adapter '" + name + "' is merged into the base weight; unmerge first");
        }
        loraA = swap("lora_A", loraA.without(name));
        loraB = swap("lora_B", loraB.without(name));
        magnitude = swap("lora_magnitude_vector", magnitude.without(name));
        r.remove(name);
        loraAlpha.remove(name);
        scaling.remove(name);
        dropout.remove(name);
        useDora.remove(name);
        if (activeAdapters.contains(name)) {
            List<String> rest = new ArrayList<>(activeAdapters);
            rest.remove(name);
            if (rest.isEmpty()) {
                List<String> remaining = new ArrayList<>(loraA.names());
                Collections.sort(remaining);
                if (!remaining.isEmpty()) {
                    LOG.debug("Adapter {} was active which is now deleted. Setting active adapter to {}.", name,
                            remaining.get(0));
                    rest = List.of(remaining.get(0));
                }
            }
            setAdapter(rest);
        }
    }

    private AdapterDict swap(String child, AdapterDict d) {
        replaceChild(child, d);
        return d;
    }

    /** Sets (non-null) or clears (null) the per-row adapter names for the next forward passes. */
    void rowAdapters(String[] names) {
        if (names == null) {
            rowAdapters.remove();
        } else {
            rowAdapters.set(names);
        }
    }

    /** True when this layer holds {@code adapter}. */
    public boolean hasAdapter(String adapter) {
        return loraA.contains(adapter);
    }

    /** The adapter names this layer holds, in insertion order. */
    public List<String> adapterNames() {
        return List.copyOf(loraA.names());
    }

    private void requireAdapter(String adapter) {
        if (!loraA.contains(adapter)) {
            throw new IllegalArgumentException("no adapter '" + adapter + "' in this layer; it has " + loraA.names());
        }
    }

    /** {@code lora_A[adapter].weight}, [r, in]. */
    public Parameter loraA(String adapter) {
        return loraA.get(adapter);
    }

    /** {@code lora_B[adapter].weight}, [out, r]. */
    public Parameter loraB(String adapter) {
        return loraB.get(adapter);
    }

    /** DoRA's {@code lora_magnitude_vector[adapter].weight}, [out]. */
    public Parameter magnitudeVector(String adapter) {
        return magnitude.get(adapter);
    }

    /** The rank of {@code adapter}. */
    public int r(String adapter) {
        requireAdapter(adapter);
        return r.get(adapter);
    }

    /** The alpha of {@code adapter}. */
    public double loraAlpha(String adapter) {
        requireAdapter(adapter);
        return loraAlpha.get(adapter);
    }

    /** {@code alpha / r} (rsLoRA: {@code alpha / sqrt(r)}) of {@code adapter}. */
    public double scaling(String adapter) {
        requireAdapter(adapter);
        return scaling.get(adapter);
    }

    /** True when {@code adapter} is a DoRA adapter. */
    public boolean useDora(String adapter) {
        requireAdapter(adapter);
        return useDora.get(adapter);
    }

    /**
     * Replaces an adapter's A and B (a load, or a weighted combination). Shapes must be [r, in] and
     * [out, r] for the adapter's rank.
     */
    void setFactors(String adapter, float[] a, float[] b) {
        int rank = r(adapter);
        loraA.get(adapter).set(Tensor.of(a, rank, inFeatures));
        loraB.get(adapter).set(Tensor.of(b, outFeatures, rank));
    }

    /** The wrapped layer (peft: {@code get_base_layer()}). */
    public LinearLayer baseLayer() {
        return base;
    }

    /** True when the base weight is stored [in, out] (GPT-2 Conv1D). */
    public boolean fanInFanOut() {
        return fanInFanOut;
    }

    @Override
    public int inFeatures() {
        return inFeatures;
    }

    @Override
    public int outFeatures() {
        return outFeatures;
    }

    // ---- base weight access ----

    private Parameter baseWeight() {
        if (base instanceof Linear l) {
            return l.weight();
        }
        if (base instanceof Conv1D c) {
            return c.weight();
        }
        throw new UnsupportedOperationException(base.getClass().getSimpleName() + " exposes no dense weight: merging, "
                + "DoRA, PiSSA and OLoRA need a Linear or Conv1D base layer");
    }

    /** The base layer's bias, or null (also for base layers other than Linear and Conv1D). */
    Parameter baseBias() {
        return base instanceof Linear l ? l.bias() : base instanceof Conv1D c ? c.bias() : null;
    }

    /** The base weight as float [out, in]. */
    float[] weightOutIn() {
        if (base instanceof DenseWeight d) {
            return d.dequantizedWeight().toFloatArray();
        }
        Tensor w = baseWeight().value();
        float[] d = w.toFloatArray();
        return fanInFanOut ? Mat.transpose(d, inFeatures, outFeatures) : d;
    }

    /** Stores {@code w} [out, in] as the base weight, in the base's layout and dtype. */
    private void setWeightOutIn(float[] w) {
        if (base instanceof DenseWeight d) {
            // A quantized base (bitsandbytes 4-bit) keeps the merged sum in float32, so that merge and
            // unmerge are exact; peft re-quantizes instead (DenseWeight.replaceWeight(.., true) offers that).
            d.replaceWeight(Tensor.of(w, outFeatures, inFeatures), false);
            return;
        }
        Parameter p = baseWeight();
        DType dtype = p.value().dtype();
        Tensor t = fanInFanOut ? Tensor.of(Mat.transpose(w, outFeatures, inFeatures), inFeatures, outFeatures)
                : Tensor.of(w, outFeatures, inFeatures);
        p.set(dtype == DType.F32 ? t : t.to(dtype));
    }

    @Override
    public String toString() {
        return "lora.LoraLinear(in=" + inFeatures + ", out=" + outFeatures + ", adapters=" + loraA.names() + ")";
    }
}
