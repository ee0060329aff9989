package dev.tune4j.nn;

import dev.tune4j.backend.Backend;

/**
 * Builds the projection modules of a model as it loads: plain {@link Linear} by default, a
 * quantized layer when a quantization config is active (quantizing each weight as it is read, or
 * reading a pre-quantized checkpoint). Models ask {@link WeightPath#linear} and never know which
 * they get.
 */
@FunctionalInterface
public interface LinearFactory {
    /** The default: a {@link Linear} over the weights at {@code path}. */
    LinearFactory DEFAULT = (backend, path, in, out, bias) -> new Linear(backend, path, in, out, bias);

    /** A module implementing {@link LinearLayer}, with its parameters under {@code path}'s names. */
    Module create(Backend backend, WeightPath path, int inFeatures, int outFeatures, boolean bias);

    /**
     * The output projection (lm_head) at {@code path}, or over {@code tiedWeight} (the input
     * embedding's table) when the model ties them. Dense by default, as transformers keeps the
     * head of a quantized model unless the configuration says otherwise.
     */
    default Module createHead(Backend backend, WeightPath path, int inFeatures, int outFeatures, Parameter tiedWeight) {
        return tiedWeight != null ? new Linear(backend, tiedWeight) : new Linear(backend, path, inFeatures, outFeatures, false);
    }
}
