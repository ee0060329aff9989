package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;

/**
 * A named weight of a {@link Module}: its current value and whether it is trained.
 *
 * <p>The value may be replaced (an optimizer step, a dtype conversion, a merge); modules always
 * read it through {@link #value()}.
 */
public final class Parameter {
    private Tensor value;
    private boolean requiresGrad;
    private Tensor grad;

    public Parameter(Tensor value, boolean requiresGrad) {
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    public Tensor value() {
        return value;
    }

    /** Replaces the value; the shape must stay the same. */
    public void set(Tensor newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter shape " + java.util.Arrays.toString(value.shape())
                    + " cannot take a value of shape " + java.util.Arrays.toString(newValue.shape()));
        }
        this.value = newValue;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks the parameter as trained (true) or frozen (false); frozen parameters keep no gradient. */
    public void requiresGrad(boolean flag) {
        this.requiresGrad = flag;
        if (!flag) {
            grad = null;
        }
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        return grad;
    }

    public void grad(Tensor g) {
        this.grad = g;
    }

    public long numel() {
        return value.numel();
    }
}
