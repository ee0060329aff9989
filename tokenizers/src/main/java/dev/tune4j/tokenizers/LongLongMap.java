package dev.tune4j.tokenizers;

import java.util.Arrays;

/**
 * Open-addressing hash map from long to long, for the BPE merge table keyed on a pair of ids.
 * A boxed HashMap costs an allocation and two indirections per lookup on the hot path.
 */
final class LongLongMap {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] keys;
    private long[] values;
    private int size;
    private int mask;

    LongLongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    void put(long k, long v) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = hash(k) & mask;
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                values[i] = v;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = v;
        size++;
    }

    /** The value, or {@code missing}. */
    long get(long k, long missing) {
        int i = hash(k) & mask;
        long[] ks = keys;
        while (true) {
            long x = ks[i];
            if (x == k) {
                return values[i];
            }
            if (x == EMPTY) {
                return missing;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] ok = keys;
        long[] ov = values;
        keys = new long[ok.length * 2];
        values = new long[ok.length * 2];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != EMPTY) {
                put(ok[i], ov[i]);
            }
        }
    }
}
