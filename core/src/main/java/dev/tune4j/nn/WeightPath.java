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

    private WeightPath(WeightSource source, String prefix) {
        this.source = source;
        this.prefix = prefix;
    }

    public static WeightPath root(WeightSource source) {
        return new WeightPath(source, "");
    }

    /** One level deeper. */
    public WeightPath pp(String name) {
        return new WeightPath(source, key(name));
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
