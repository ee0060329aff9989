package dev.tune4j.backend;

import dev.tune4j.tensor.Tensor;

/**
 * Key/value storage the attention op appends to and reads from: per layer, [batch, capacity,
 * kvHeads * headDim] floats. The models' KV cache implements it.
 */
public interface KvBuffer {
    /** Keys of a layer, [batch, capacity, width]. */
    float[] keys(int layer);

    /** Values of a layer, [batch, capacity, width]. */
    float[] values(int layer);

    /** Slots per row. */
    int capacity();

    /** Slots filled before the current call. */
    int length();

    /** Writes new keys/values [batch * n, width] at slots length()..length()+n-1. */
    void write(int layer, Tensor k, Tensor v, int n);
}
