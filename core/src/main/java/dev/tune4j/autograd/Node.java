package dev.tune4j.autograd;

import dev.tune4j.tensor.Tensor;

/**
 * One recorded op on the tape: its inputs and a hand-written backward. A node keeps what its
 * backward needs (inputs, saved activations) until {@link #release()}, which the engine calls as
 * soon as the backward has run, so activations are freed layer by layer.
 */
public abstract class Node {
    private Tensor[] inputs;

    protected Node(Tensor... inputs) {
        this.inputs = inputs;
    }

    /** The tensors this op read; a gradient is returned for each that requires one. */
    public final Tensor[] inputs() {
        return inputs;
    }

    /** Input {@code i}. */
    protected final Tensor input(int i) {
        return inputs[i];
    }

    /** Whether input {@code i} wants a gradient. */
    protected final boolean needs(int i) {
        return inputs[i] != null && inputs[i].requiresGrad();
    }

    /**
     * Gradients of the inputs given the gradient of the output, one per input (null where an
     * input needs none).
     */
    public abstract Tensor[] backward(Tensor gradOutput);

    /** Drops inputs and saved tensors. */
    public void release() {
        inputs = new Tensor[inputs.length];
        releaseSaved();
    }

    /** Drops tensors a subclass saved for its backward. */
    protected void releaseSaved() {}

    /** A short name for error messages and debugging. */
    public String name() {
        return getClass().getSimpleName();
    }
}
