package dev.tune4j.lora;

import dev.tune4j.nn.Linear;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.util.List;

/**
 * peft's {@code ModulesToSaveWrapper} for a module listed in {@code modules_to_save}: the original
 * module plus a fully trainable copy per adapter ({@code <name>.modules_to_save.<adapter>.weight}
 * in memory, {@code <name>.weight} in the adapter file). The active adapter's copy computes the
 * output; with no copy for it, or adapters disabled, the original does.
 *
 * <p>Models reach their output head through the {@link LinearLayer} seam, so a {@link Linear}
 * (such as {@code lm_head}) can be wrapped; embeddings, which models call directly, cannot.
 */
public final class ModulesToSaveWrapper extends Module implements LinearLayer {
    private final Linear original;
    private AdapterDict copies;
    private String activeAdapter;
    private boolean disabled;
    /** Per-row adapter names of the calling thread's current forward (peft's adapter_names), or none. */
    private final ThreadLocal<String[]> rowAdapters = new ThreadLocal<>();

    ModulesToSaveWrapper(Linear original, String adapter) {
        this.original = register("original_module", original);
        this.copies = register("modules_to_save", new AdapterDict());
        update(adapter);
        setAdapter(adapter);
    }

    /** Adds a trainable copy of the original for {@code adapter} (peft: {@code update}). */
    void update(String adapter) {
        if (copies.contains(adapter)) {
            return;
        }
        Tensor w = original.weight().value();
        Parameter b = original.bias();
        Linear copy = new Linear(original.backend(), Tensor.of(w.toFloatArray(), w.shape()),
                b == null ? null : Tensor.of(b.value().toFloatArray(), b.value().shape()));
        copies.putModule(adapter, copy);
    }

    /** Makes {@code adapter}'s copy the one used and trained; others are frozen. */
    void setAdapter(String adapter) {
        for (String n : copies.names()) {
            copies.module(n).requiresGrad(n.equals(adapter));
        }
        original.requiresGrad(false);
        this.activeAdapter = adapter;
    }

    void enableAdapters(boolean enabled) {
        this.disabled = !enabled;
    }

    void deleteAdapter(String adapter) {
        copies = swap(copies.without(adapter));
        if (adapter.equals(activeAdapter)) {
            activeAdapter = null;
        }
    }

    private AdapterDict swap(AdapterDict d) {
        replaceChild("modules_to_save", d);
        return d;
    }

    boolean hasAdapter(String adapter) {
        return copies.contains(adapter);
    }

    /** The module that replaces the wrapper on unload: the active copy, else the original. */
    Linear unwrapped() {
        return activeAdapter != null && copies.contains(activeAdapter) ? (Linear) copies.module(activeAdapter) : original;
    }

    /** The original module. */
    public Linear originalModule() {
        return original;
    }

    /** The copy trained for {@code adapter}. */
    public Linear copy(String adapter) {
        Module m = copies.module(adapter);
        if (m == null) {
            throw new IllegalArgumentException("no modules_to_save copy for adapter '" + adapter + "'; it has "
                    + List.copyOf(copies.names()));
        }
        return (Linear) m;
    }

    /** Sets (non-null) or clears (null) the per-row adapter names for the next forward passes. */
    void rowAdapters(String[] names) {
        if (names == null) {
            rowAdapters.remove();
        } else {
            rowAdapters.set(names);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (disabled) {
            return original.forward(x);
        }
        String[] rows = rowAdapters.get();
        if (rows != null) {
            return mixedBatchForward(x, rows);
        }
        return moduleFor(activeAdapter).forward(x);
    }

    private Linear moduleFor(String adapter) {
        return adapter != null && copies.contains(adapter) ? (Linear) copies.module(adapter) : original;
    }

    /** Each row through its adapter's copy, or the original for "__base__" and adapters without one. */
    private Tensor mixedBatchForward(Tensor x, String[] names) {
        int n = x.dim(0);
        int rows = names.length;
        if (n % rows != 0) {
            throw new IllegalArgumentException(rows + " adapter names for " + n + " tokens");
        }
        int per = n / rows;
        int in = x.dim(1);
        int out = outFeatures();
        float[] xs = x.data();
        float[] y = new float[n * out];
        for (String a : new java.util.LinkedHashSet<>(List.of(names))) {
            List<Integer> sel = new java.util.ArrayList<>();
            for (int b = 0; b < rows; b++) {
                if (names[b].equals(a)) {
                    sel.add(b);
                }
            }
            float[] sub = new float[sel.size() * per * in];
            for (int i = 0; i < sel.size(); i++) {
                System.arraycopy(xs, sel.get(i) * per * in, sub, i * per * in, per * in);
            }
            float[] r = moduleFor(a).forward(Tensor.of(sub, sel.size() * per, in)).data();
            for (int i = 0; i < sel.size(); i++) {
                System.arraycopy(r, i * per * out, y, sel.get(i) * per * out, per * out);
            }
        }
        return Tensor.of(y, n, out);
    }

    @Override
    public int inFeatures() {
        return original.inFeatures();
    }

    @Override
    public int outFeatures() {
        return original.outFeatures();
    }
}
