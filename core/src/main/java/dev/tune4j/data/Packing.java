package dev.tune4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Packs tokenized examples into rows of at most {@code maxLength} tokens, as trl's
 * {@code pack_dataset}: "bfd" (best-fit decreasing, documents kept whole, cut to maxLength) or
 * "wrapped" (concatenate and cut every maxLength tokens). Each row carries {@code position_ids}
 * restarting at 0 for each document, which is how the models keep attention inside documents.
 */
public final class Packing {
    private Packing() {}

    /** Rows with input_ids, labels, position_ids. */
    public static Dataset pack(List<SupervisedExample> examples, int maxLength, String strategy) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("packing needs max_length >= 1, got " + maxLength);
        }
        List<Map<String, Object>> rows = switch (strategy) {
            case "bfd" -> bestFitDecreasing(examples, maxLength);
            case "wrapped" -> wrapped(examples, maxLength);
            default -> throw new IllegalArgumentException("unknown packing strategy '" + strategy + "'; expected bfd or wrapped");
        };
        return Dataset.fromList(rows);
    }

    private static List<Map<String, Object>> bestFitDecreasing(List<SupervisedExample> examples, int maxLength) {
        List<SupervisedExample> sorted = new ArrayList<>();
        for (SupervisedExample e : examples) {
            if (e.length() > 0) {
                sorted.add(e.length() > maxLength
                        ? new SupervisedExample(java.util.Arrays.copyOf(e.inputIds(), maxLength), java.util.Arrays.copyOf(e.labels(), maxLength))
                        : e);
            }
        }
        sorted.sort(Comparator.comparingInt(SupervisedExample::length).reversed());
        List<List<SupervisedExample>> bins = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (SupervisedExample e : sorted) {
            int best = -1;
            for (int b = 0; b < bins.size(); b++) {
                if (free.get(b) >= e.length() && (best < 0 || free.get(b) < free.get(best))) {
                    best = b;
                }
            }
            if (best < 0) {
                bins.add(new ArrayList<>());
                free.add(maxLength);
                best = bins.size() - 1;
            }
            bins.get(best).add(e);
            free.set(best, free.get(best) - e.length());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<SupervisedExample> bin : bins) {
            List<Integer> ids = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            List<Integer> pos = new ArrayList<>();
            for (SupervisedExample e : bin) {
                for (int i = 0; i < e.length(); i++) {
                    ids.add(e.inputIds()[i]);
                    // The first token of a document has no prediction from the previous document.
                    labels.add(i == 0 ? SupervisedExample.IGNORE_INDEX : e.labels()[i]);
                    pos.add(i);
                }
            }
            rows.add(Map.of("input_ids", ids, "labels", labels, "position_ids", pos));
        }
        return rows;
    }

    private static List<Map<String, Object>> wrapped(List<SupervisedExample> examples, int maxLength) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> pos = new ArrayList<>();
        for (SupervisedExample e : examples) {
            for (int i = 0; i < e.length(); i++) {
                if (ids.size() == maxLength) {
                    rows.add(Map.of("input_ids", ids, "labels", labels, "position_ids", pos));
                    ids = new ArrayList<>();
                    labels = new ArrayList<>();
                    pos = new ArrayList<>();
                }
                boolean continues = i > 0 && !pos.isEmpty();
                ids.add(e.inputIds()[i]);
                labels.add(i == 0 || !continues ? SupervisedExample.IGNORE_INDEX : e.labels()[i]);
                pos.add(continues ? pos.get(pos.size() - 1) + 1 : 0);
            }
        }
        if (!ids.isEmpty()) {
            rows.add(Map.of("input_ids", ids, "labels", labels, "position_ids", pos));
        }
        return rows;
    }
}
