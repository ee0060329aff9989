package dev.tune4j.quant;

/**
 * Nearest-code lookup with bitsandbytes' tie rule.
 *
 * <p>The table is sorted ascending (stably, so of FP4's two equal zeros index 0 comes first, as
 * torch's sort leaves them), midpoints are {@code (s[i] + s[i+1]) / 2} in float32, and a value's
 * sorted position is the number of midpoints strictly below it: a value exactly on a midpoint
 * takes the lower neighbour (toward minus infinity). The returned code is the original table
 * index of that position.
 */
final class Codebook {
    private final float[] mids;
    private final int[] positionToIndex;

    Codebook(float[] table) {
        int n = table.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Stable insertion sort on numeric order (-0.0 == +0.0, as in torch).
        for (int i = 1; i < n; i++) {
            int cur = order[i];
            int j = i - 1;
            while (j >= 0 && table[order[j]] > table[cur]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = cur;
        }
        this.positionToIndex = order;
        this.mids = new float[n - 1];
        for (int i = 0; i < n - 1; i++) {
            mids[i] = (table[order[i]] + table[order[i + 1]]) / 2f;
        }
    }

    /** Sorted midpoints (shared; read-only). */
    float[] mids() {
        return mids;
    }

    /** Original table index of each sorted position (shared; read-only). */
    int[] positionToIndex() {
        return positionToIndex;
    }

    /** The code (original table index) of an already scaled and clamped value. */
    int index(float scaled) {
        return positionToIndex[position(scaled)];
    }

    /** The count of midpoints strictly below {@code scaled}. */
    private int position(float scaled) {
        int n = mids.length;
        if (Integer.bitCount(n + 1) == 1) {
            // 2^k - 1 sorted midpoints (16- and 256-entry tables): a fixed-depth search without
            // data-dependent branches, which random weights would mispredict half of the time.
            int pos = 0;
            for (int step = (n + 1) >>> 1; step > 0; step >>>= 1) {
                pos += mids[pos + step - 1] < scaled ? step : 0;
            }
            return pos;
        }
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (mids[mid] < scaled) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
