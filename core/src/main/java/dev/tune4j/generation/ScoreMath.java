package dev.tune4j.generation;

import java.util.Arrays;

/** Float32 helpers shared by the warpers, following the order of operations torch uses on the CPU. */
final class ScoreMath {
    private ScoreMath() {}

    /**
     * {@code torch.softmax} on one row in float32: subtract the max, exponentiate, multiply by the
     * reciprocal of the sum. All {@code -inf} gives NaN, as in torch. The sum is accumulated in
     * double, which is at least as accurate as torch's vectorised float sum; the two can differ in
     * the last bit of a probability, never in a decision the golden data exercises.
     */
    static float[] softmax(float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            if (v > max || Float.isNaN(v)) {
                max = v;
            }
        }
        float[] out = new float[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) Math.exp(x[i] - max);
            sum += out[i];
        }
        float inv = 1f / (float) sum;
        for (int i = 0; i < out.length; i++) {
            out[i] *= inv;
        }
        return out;
    }

    /**
     * Indices that sort {@code x} ascending; equal values keep index order. Packs a monotone int
     * image of each float with its index into a long, so one primitive sort does the work (no
     * boxing, which matters for 150k-token vocabularies).
     */
    static int[] argsortAscending(float[] x) {
        long[] keys = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            keys[i] = ((long) sortableBits(x[i]) << 32) | (i & 0xffffffffL);
        }
        Arrays.sort(keys);
        int[] idx = new int[x.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (int) keys[i];
        }
        return idx;
    }

    /** Indices that sort {@code x} descending; equal values keep index order. */
    static int[] argsortDescending(float[] x) {
        long[] keys = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            keys[i] = ((long) ~sortableBits(x[i]) << 32) | (i & 0xffffffffL);
        }
        Arrays.sort(keys);
        int[] idx = new int[x.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (int) keys[i];
        }
        return idx;
    }

    /** An int whose signed order is the float order (-inf lowest, NaN above +inf; -0.0 just below 0.0). */
    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f); // canonical NaN
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /**
     * The k-th largest value (k from 1), duplicates counted, like {@code torch.topk(x, k).values[-1]}.
     * A min-heap of the k largest makes it O(V log k) for the usual small k; large k, or a NaN
     * (which torch ranks above everything, as {@link Arrays#sort(float[])} does), take a full sort.
     */
    static float kthLargest(float[] x, int k) {
        if (k > 1024 || k * 8 > x.length) {
            return sortedKth(x, k);
        }
        float[] heap = new float[k]; // min-heap of the k largest seen so far
        int size = 0;
        for (float v : x) {
            if (Float.isNaN(v)) {
                return sortedKth(x, k);
            }
            if (size < k) {
                int i = size++;
                while (i > 0 && heap[(i - 1) >>> 1] > v) {
                    heap[i] = heap[(i - 1) >>> 1];
                    i = (i - 1) >>> 1;
                }
                heap[i] = v;
            } else if (v > heap[0]) {
                int i = 0;
                while (true) {
                    int c = 2 * i + 1;
                    if (c >= k) {
                        break;
                    }
                    if (c + 1 < k && heap[c + 1] < heap[c]) {
                        c++;
                    }
                    if (heap[c] >= v) {
                        break;
                    }
                    heap[i] = heap[c];
                    i = c;
                }
                heap[i] = v;
            }
        }
        return heap[0];
    }

    private static float sortedKth(float[] x, int k) {
        float[] copy = x.clone();
        Arrays.sort(copy);
        return copy[copy.length - k];
    }

    static void checkVocab(float[][] scores, int[][] inputIds, String who) {
        if (inputIds != null && inputIds.length != scores.length) {
            throw new IllegalArgumentException(who + ": input_ids has " + inputIds.length
                    + " rows but scores has " + scores.length);
        }
    }
}
