package dev.tune4j.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A collated batch: named integer tensors in the order the collator produced them, as the dict
 * a transformers collator returns ({@code input_ids}, {@code attention_mask}, {@code labels}, ...).
 *
 * <p>Each entry is either a matrix {@code int[batch][length]} (per-token values) or a vector
 * {@code int[batch]} (one value per row, such as a classification {@code labels}). The arrays are
 * handed over, not copied: a batch belongs to whoever collated it.
 */
public final class Batch {
    private final Map<String, Object> tensors;

    /**
     * @param tensors key to {@code int[][]} or {@code int[]}, in output order
     * @throws IllegalArgumentException if a value is of another type or rows disagree in count
     */
    public Batch(Map<String, ?> tensors) {
        Map<String, Object> m = new LinkedHashMap<>();
        int rows = -1;
        for (Map.Entry<String, ?> e : tensors.entrySet()) {
            Object v = e.getValue();
            int n;
            if (v instanceof int[][] mat) {
                n = mat.length;
                for (int[] row : mat) {
                    if (row.length != (mat.length == 0 ? 0 : mat[0].length)) {
                        throw new IllegalArgumentException("batch entry '" + e.getKey() + "' is ragged");
                    }
                }
            } else if (v instanceof int[] vec) {
                n = vec.length;
            } else {
                throw new IllegalArgumentException("batch entry '" + e.getKey() + "' must be int[][] or int[], found "
                        + (v == null ? "null" : v.getClass().getSimpleName()));
            }
            if (rows >= 0 && n != rows) {
                throw new IllegalArgumentException("batch entry '" + e.getKey() + "' has " + n + " rows, others have " + rows);
            }
            rows = n;
            m.put(e.getKey(), v);
        }
        this.tensors = Collections.unmodifiableMap(m);
    }

    /** The keys in output order. */
    public Set<String> keys() {
        return tensors.keySet();
    }

    /** Whether the batch has {@code key}. */
    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /**
     * A per-token entry {@code [batch][length]}.
     *
     * @throws IllegalArgumentException if absent or one value per row
     */
    public int[][] get(String key) {
        Object v = tensors.get(key);
        if (v instanceof int[][] mat) {
            return mat;
        }
        throw new IllegalArgumentException(v == null ? "batch has no '" + key + "'; it has " + keys()
                : "batch entry '" + key + "' holds one value per row; read it with getVector");
    }

    /**
     * A one-value-per-row entry {@code [batch]}.
     *
     * @throws IllegalArgumentException if absent or per-token
     */
    public int[] getVector(String key) {
        Object v = tensors.get(key);
        if (v instanceof int[] vec) {
            return vec;
        }
        throw new IllegalArgumentException(v == null ? "batch has no '" + key + "'; it has " + keys()
                : "batch entry '" + key + "' is per-token; read it with get");
    }

    /** The shape of an entry: {@code [batch, length]} or {@code [batch]}. */
    public int[] shape(String key) {
        Object v = tensors.get(key);
        if (v instanceof int[][] mat) {
            return new int[] {mat.length, mat.length == 0 ? 0 : mat[0].length};
        }
        if (v instanceof int[] vec) {
            return new int[] {vec.length};
        }
        throw new IllegalArgumentException("batch has no '" + key + "'; it has " + keys());
    }

    /** {@code input_ids}. */
    public int[][] inputIds() {
        return get("input_ids");
    }

    /** {@code attention_mask} (1 = real token), when the collator produced one. */
    public Optional<int[][]> attentionMask() {
        return optional("attention_mask");
    }

    /** Per-token {@code labels} (-100 = ignored), when present. */
    public Optional<int[][]> labels() {
        return optional("labels");
    }

    /** {@code position_ids}, when present. */
    public Optional<int[][]> positionIds() {
        return optional("position_ids");
    }

    private Optional<int[][]> optional(String key) {
        return tensors.containsKey(key) ? Optional.of(get(key)) : Optional.empty();
    }

    /** Number of rows. */
    public int size() {
        return tensors.isEmpty() ? 0 : shape(tensors.keySet().iterator().next())[0];
    }

    /** The entries as an unmodifiable map (values {@code int[][]} or {@code int[]}). */
    public Map<String, Object> asMap() {
        return tensors;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Batch{");
        for (String k : keys()) {
            sb.append(sb.length() > 6 ? ", " : "").append(k).append(java.util.Arrays.toString(shape(k)));
        }
        return sb.append('}').toString();
    }
}
