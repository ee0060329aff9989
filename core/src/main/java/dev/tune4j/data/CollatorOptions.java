package dev.tune4j.data;

/** Checks shared by the collator builders. */
final class CollatorOptions {
    private CollatorOptions() {}

    static void check(PaddingStrategy padding, Integer maxLength, Integer padToMultipleOf, PaddingSide side) {
        if (padding == null || side == null) {
            throw new IllegalArgumentException("padding and paddingSide must not be null");
        }
        if (padToMultipleOf != null && padToMultipleOf < 1) {
            throw new IllegalArgumentException("padToMultipleOf must be null or >= 1, found " + padToMultipleOf);
        }
        if (maxLength != null && maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be null or >= 1, found " + maxLength);
        }
        if (padding == PaddingStrategy.MAX_LENGTH && maxLength == null) {
            throw new IllegalArgumentException("padding max_length needs maxLength");
        }
    }
}
