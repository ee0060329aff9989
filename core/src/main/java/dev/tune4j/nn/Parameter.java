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
    private Tensor tracked;
    private boolean statistic;

    public Parameter(Tensor value, boolean requiresGrad) {
        this.value = value;
        requiresGrad(requiresGrad);
    }

    /**
     * A frozen entry of the state dict that is not a weight of the model: bitsandbytes' quant
     * state (absmax codes, quantization maps, the quant-state JSON), which torch keeps outside
     * the parameters. Saved and loaded like a parameter; not counted by peft's
     * {@code print_trainable_parameters()}.
     */
    public static Parameter statistic(Tensor value) {
        Parameter p = new Parameter(value, false);
        p.statistic = true;
        return p;
    }

    /** True for a {@link #statistic(Tensor)}. */
    public boolean isStatistic() {
        return statistic;
    }

    /**
     * The current value. For a trained parameter it is a leaf on the tape whose gradient is added
     * to {@link #grad()} by backward.
     */
    public Tensor value() {
        if (!requiresGrad) {
            return value;
        }
        if (tracked == null) {
            tracked = value.detach().withGradSink(this::accumulate);
        }
        return tracked;
    }

    private void accumulate(Tensor g) {
        if (grad == null) {
            grad = Tensor.of(g.toFloatArray(), value.shape());
        } else {
            float[] acc = grad.data();
            float[] add = g.data();
            for (int i = 0; i < acc.length; i++) {
                acc[i] += add[i];
            }
        }
    }

    /** Sets the gradient to null (optimizer.zero_grad(set_to_none=True)). */
    public void zeroGrad() {
        grad = null;
    }

    /** Replaces the value; the shape must stay the same. */
    public void set(Tensor newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter shape " + java.util.Arrays.toString(value.shape())
                    + " cannot take a value of shape " + java.util.Arrays.toString(newValue.shape()));
        }
        this.value = requiresGrad ? newValue.toF32() : newValue;
        this.tracked = null;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks the parameter as trained (true) or frozen (false). Frozen parameters keep no gradient
     * and may stay in their stored dtype and memory; a trained one is held as F32 on the heap
     * (the master copy the optimizer updates).
     */
    public void requiresGrad(boolean flag) {
        this.requiresGrad = flag;
        this.tracked = null;
        if (flag) {
            value = value.toF32();
        } else {
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
