package dev.tune4j.autograd;

import dev.tune4j.tensor.Tensor;

/** Receives the gradient of a leaf tensor (a trained parameter, a checkpoint's input). */
@FunctionalInterface
public interface GradSink {
    /** Adds {@code grad} (same shape as the leaf) to what was received before. */
    void accumulate(Tensor grad);
}
