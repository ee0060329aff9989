package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;
import java.util.Arrays;

/**
 * A position in the Hugging Face state-dict namespace: {@code root.pp("model").pp("layers").pp(0)}
 * names {@code model.layers.0}. Keys are walked, never concatenated by hand, and errors name the
 * full key.
 */
public final class WeightPath {
    private final WeightSource source;
    private final String prefix;
    private final LinearFactory linears;

    private WeightPath(WeightSource source, String prefix, LinearFactory linears) {
        this.source = source;
        this.prefix = prefix;
        this.linears = linears;
    }

    public static WeightPath root(WeightSource source) {
        return new WeightPath(source, "", LinearFactory.DEFAULT);
    }

    /** A root whose projections are built by {@code linears} (quantized loading). */
    public static WeightPath root(WeightSource source, LinearFactory linears) {
        return new WeightPath(source, "", linears);
    }

    /** One level deeper. */
    public WeightPath pp(String name) {
        return new WeightPath(source, key(name), linears);
    }

    /**
     * The projection module at this path (a {@link Linear}, or what the active
     * {@link LinearFactory} builds), taking {@code in} features to {@code out}.
     */
    public Module linear(dev.tune4j.backend.Backend backend, int in, int out, boolean bias) {
        return requireLinearLayer(linears.create(backend, this, in, out, bias));
    }

    private Module requireLinearLayer(Module m) {
        if (!(m instanceof LinearLayer)) {
            throw new IllegalStateException("the linear factory built " + m.getClass().getName()
                    + " for '" + prefix + "', which is not a LinearLayer");
        }
        return m;
    }

    /**
     * The output projection at this path ({@code lm_head}), taking {@code in} features to the
     * vocabulary; over {@code tiedWeight} when the model ties it to the input embedding (null
     * otherwise). Dense unless the active {@link LinearFactory} quantizes heads.
     */
    public Module outputHead(dev.tune4j.backend.Backend backend, int in, int out, Parameter tiedWeight) {
        return requireLinearLayer(linears.createHead(backend, this, in, out, tiedWeight));
    }

    public WeightPath pp(int index) {
        return pp(Integer.toString(index));
    }

    /** The full key of a child name. */
    public String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public String prefix() {
        return prefix;
    }

    public WeightSource source() {
        return source;
    }

    /** The tensor {@code name} below this path, checked against {@code shape}. */
    public Tensor get(String name, Init init, int... shape) {
        Tensor t = source.load(key(name), shape, init);
        if (t == null) {
            throw new IllegalArgumentException("missing weight '" + key(name) + "' (expected shape "
                    + Arrays.toString(shape) + ") in " + source.describe());
        }
        return checkShape(name, t, shape);
    }

    /** Like {@link #get}, or null when the source does not hold it. */
    public Tensor getOptional(String name, Init init, int... shape) {
        Tensor t = source.load(key(name), shape, init);
        return t == null ? null : checkShape(name, t, shape);
    }

    private Tensor checkShape(String name, Tensor t, int[] shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("weight '" + key(name) + "' in " + source.describe()
                    + " has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }
}
