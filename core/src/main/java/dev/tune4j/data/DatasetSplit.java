package dev.tune4j.data;

/**
 * The two halves of {@link Dataset#trainTestSplit}: datasets' {@code DatasetDict} with
 * {@code "train"} and {@code "test"}.
 */
public record DatasetSplit(Dataset train, Dataset test) {}
