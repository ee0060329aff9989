package dev.tune4j.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The padding a transformers tokenizer's {@code pad()} does, without the tokenizer: pads
 * {@code input_ids} with the pad id, {@code attention_mask} with 0 (creating it when missing),
 * {@code token_type_ids} with the pad type id and {@code special_tokens_mask} with 1, on one side,
 * to the longest row or {@code maxLength}, rounded up to {@code padToMultipleOf}. Every other key
 * is only stacked, which fails when its rows differ in length, as it does in transformers.
 */
record Padder(int padTokenId, int padTokenTypeId, PaddingSide side) {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";

    /**
     * Pads dict features.
     *
     * @return key to int[][] (per-token) or int[] (per-row), in transformers' key order: the keys
     *     of row 0, then {@code attention_mask} when it was created
     */
    Map<String, Object> pad(List<Map<String, Object>> rows, PaddingStrategy strategy, Integer maxLength,
                            Integer padToMultipleOf) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no features to collate: the list is empty");
        }
        Map<String, Object> first = rows.get(0);
        if (!first.containsKey(INPUT_IDS)) {
            throw new IllegalArgumentException("features must include '" + INPUT_IDS + "', but row 0 has only "
                    + first.keySet());
        }
        // transformers builds its column dict from row 0's keys: later rows must have them, extras are dropped
        List<String> keys = new ArrayList<>(first.keySet());
        for (int i = 1; i < rows.size(); i++) {
            for (String k : keys) {
                if (!rows.get(i).containsKey(k)) {
                    throw new IllegalArgumentException("row " + i + " has no '" + k + "', which row 0 has; rows must"
                            + " share row 0's keys, found " + rows.get(i).keySet());
                }
            }
        }
        int n = rows.size();
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = Ids.toIntArray(rows.get(i).get(INPUT_IDS), "row " + i + " '" + INPUT_IDS + "'");
        }
        int target = targetLength(ids, strategy, maxLength, padToMultipleOf);

        Map<String, Object> out = new LinkedHashMap<>();
        boolean hasMask = keys.contains(ATTENTION_MASK);
        for (String k : keys) {
            switch (k) {
                case INPUT_IDS -> out.put(k, padAll(ids, target, padTokenId, k));
                case ATTENTION_MASK -> out.put(k, padAll(sameLength(rows, k, ids), target, 0, k));
                case "token_type_ids" -> out.put(k, padAll(sameLength(rows, k, ids), target, padTokenTypeId, k));
                case "special_tokens_mask" -> out.put(k, padAll(sameLength(rows, k, ids), target, 1, k));
                default -> out.put(k, stack(rows, k));
            }
        }
        if (!hasMask) {
            int[][] mask = new int[n][];
            for (int i = 0; i < n; i++) {
                mask[i] = new int[ids[i].length];
                java.util.Arrays.fill(mask[i], 1);
            }
            out.put(ATTENTION_MASK, padAll(mask, target, 0, ATTENTION_MASK));
        }
        return out;
    }

    /** The padded length, or -1 for no padding. */
    static int targetLength(int[][] ids, PaddingStrategy strategy, Integer maxLength, Integer padToMultipleOf) {
        return switch (strategy) {
            case DO_NOT_PAD -> -1;
            case LONGEST -> {
                int max = 0;
                for (int[] r : ids) {
                    max = Math.max(max, r.length);
                }
                yield Ids.roundUp(max, padToMultipleOf);
            }
            case MAX_LENGTH -> {
                if (maxLength == null) {
                    throw new IllegalArgumentException("padding max_length needs maxLength");
                }
                int t = Ids.roundUp(maxLength, padToMultipleOf);
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i].length > t) {
                        throw new IllegalArgumentException("row " + i + " has " + ids[i].length
                                + " input_ids, more than maxLength " + t + "; padding does not truncate,"
                                + " so truncate the examples first");
                    }
                }
                yield t;
            }
        };
    }

    private int[][] padAll(int[][] rows, int target, int value, String key) {
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = target < 0 ? rows[i] : Ids.pad(rows[i], target, value, side);
        }
        if (target < 0) {
            requireEqualLengths(out, key, "padding is do_not_pad, so rows must already have equal lengths");
        }
        return out;
    }

    private static int[][] sameLength(List<Map<String, Object>> rows, String key, int[][] ids) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Ids.toIntArray(rows.get(i).get(key), "row " + i + " '" + key + "'");
            if (out[i].length != ids[i].length) {
                throw new IllegalArgumentException("row " + i + " has " + out[i].length + " '" + key + "' values but "
                        + ids[i].length + " input_ids; they must match");
            }
        }
        return out;
    }

    /** Stacks a key that is not padded: all integers, or sequences of one common length. */
    static Object stack(List<Map<String, Object>> rows, String key) {
        Object v0 = rows.get(0).get(key);
        if (!Ids.isSequence(v0)) {
            int[] vec = new int[rows.size()];
            for (int i = 0; i < vec.length; i++) {
                Object v = rows.get(i).get(key);
                if (Ids.isSequence(v)) {
                    throw new IllegalArgumentException("cannot batch '" + key + "': row 0 holds one value but row " + i
                            + " holds a sequence");
                }
                vec[i] = Ids.toInt(v, "row " + i + " '" + key + "'");
            }
            return vec;
        }
        int[][] mat = new int[rows.size()][];
        for (int i = 0; i < mat.length; i++) {
            Object v = rows.get(i).get(key);
            if (!Ids.isSequence(v)) {
                throw new IllegalArgumentException("cannot batch '" + key + "': row 0 holds a sequence but row " + i
                        + " holds " + Ids.describe(v));
            }
            mat[i] = Ids.toIntArray(v, "row " + i + " '" + key + "'");
        }
        requireEqualLengths(mat, key, "this collator pads only input_ids, attention_mask, token_type_ids and"
                + " special_tokens_mask; pad per-token labels with DataCollatorForSeq2Seq, or pad the examples first");
        return mat;
    }

    static void requireEqualLengths(int[][] mat, String key, String hint) {
        for (int i = 1; i < mat.length; i++) {
            if (mat[i].length != mat[0].length) {
                throw new IllegalArgumentException("cannot batch '" + key + "': row 0 has " + mat[0].length
                        + " values but row " + i + " has " + mat[i].length + "; " + hint);
            }
        }
    }

    /** Casts a feature list to maps, naming the first row that is not one. */
    static List<Map<String, Object>> asMaps(List<?> features) {
        List<Map<String, Object>> out = new ArrayList<>(features.size());
        for (int i = 0; i < features.size(); i++) {
            Object f = features.get(i);
            if (!(f instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("row " + i + ": expected a Map of feature name to values, found "
                        + Ids.describe(f));
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("row " + i + ": feature names must be strings, found "
                            + Ids.describe(e.getKey()));
                }
                copy.put(k, e.getValue());
            }
            out.add(copy);
        }
        return out;
    }
}
