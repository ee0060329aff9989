package dev.tune4j.models;

import dev.tune4j.backend.KvBuffer;
import dev.tune4j.tensor.Tensor;

/**
 * Keys and values of every layer for a batch, [batch, capacity, kvHeads * headDim] per layer,
 * grown by doubling. Slot {@code j} of a row holds the token fed at step j (padding included).
 */
public final class KvCache implements KvBuffer {
    private final int batch;
    private final int width;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;
    private int length;

    public KvCache(int layers, int batch, int width, int initialCapacity) {
        this.batch = batch;
        this.width = width;
        this.capacity = Math.max(1, initialCapacity);
        this.keys = new float[layers][];
        this.values = new float[layers][];
    }

    /** Layers are allocated on first write, so a cache used by one layer costs one layer. */
    private void allocate(int layer) {
        if (keys[layer] == null) {
            keys[layer] = new float[batch * capacity * width];
            values[layer] = new float[batch * capacity * width];
        }
    }

    /** Slots filled so far. */
    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    public int batch() {
        return batch;
    }

    @Override
    public float[] keys(int layer) {
        allocate(layer);
        return keys[layer];
    }

    @Override
    public float[] values(int layer) {
        allocate(layer);
        return values[layer];
    }

    /** Makes room for {@code n} more slots. */
    public void reserve(int n) {
        int needed = length + n;
        if (needed <= capacity) {
            return;
        }
        int newCap = Math.max(needed, capacity * 2);
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l] = grow(keys[l], newCap);
                values[l] = grow(values[l], newCap);
            }
        }
        capacity = newCap;
    }

    private float[] grow(float[] old, int newCap) {
        float[] out = new float[batch * newCap * width];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(old, b * capacity * width, out, b * newCap * width, length * width);
        }
        return out;
    }

    /** Writes the new keys/values [batch * n, width] of one layer at slots length..length+n-1. */
    @Override
    public void write(int layer, Tensor k, Tensor v, int n) {
        allocate(layer);
        float[] kd = k.data();
        float[] vd = v.data();
        for (int b = 0; b < batch; b++) {
            int dst = (b * capacity + length) * width;
            System.arraycopy(kd, b * n * width, keys[layer], dst, n * width);
            System.arraycopy(vd, b * n * width, values[layer], dst, n * width);
        }
    }

    /** Forgets every slot from {@code newLength} on (a rewind, e.g. to reuse a shared prompt prefix). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " slots to " + newLength);
        }
        length = newLength;
    }

    /** Marks {@code n} slots as filled, after every layer has written them. */
    public void advance(int n) {
        length += n;
    }
}
