package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;

/**
 * The seam every projection of a model goes through: a plain {@link Linear}, a LoRA-wrapped one,
 * a 4-bit one. Models call {@link #forward} and never know which they hold.
 */
public interface LinearLayer {
    /** {@code y = x W^T + b} for x shaped [n, inFeatures]; returns [n, outFeatures]. */
    Tensor forward(Tensor x);

    int inFeatures();

    int outFeatures();
}
