package dev.tune4j.nn;

/** How a freshly created (not loaded) parameter is initialised, by its role. */
public enum Init {
    /** Projection weights: normal(0, initializer_range), as transformers' _init_weights. */
    WEIGHT,
    /** Embedding tables: normal(0, initializer_range). */
    EMBEDDING,
    /** Norm scales: ones. */
    ONES,
    /** Biases: zeros. */
    ZEROS
}
