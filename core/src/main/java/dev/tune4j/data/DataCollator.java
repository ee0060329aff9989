package dev.tune4j.data;

import java.util.List;

/**
 * Turns a list of examples into one padded {@link Batch}: transformers' {@code data_collator}.
 *
 * <p>An example is a {@code Map<String, Object>} whose token fields ({@code input_ids},
 * {@code attention_mask}, {@code labels}, ...) are {@code int[]}, {@code long[]} or a
 * {@code List} of integers, and whose per-example values (a classification {@code label}) are
 * integers. Some collators also take bare id sequences.
 */
@FunctionalInterface
public interface DataCollator {
    /**
     * Collates {@code features} into a batch.
     *
     * @throws IllegalArgumentException naming the row and key when the examples cannot be batched
     */
    Batch collate(List<?> features);
}
