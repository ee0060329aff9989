package dev.tune4j.tokenizers;

/**
 * Truncation settings, as {@code tokenizers.Tokenizer.enable_truncation(...)}.
 *
 * @param maxLength maximum number of tokens, special tokens included
 * @param stride number of tokens shared by consecutive overflowing windows
 * @param strategy which sequence of a pair loses tokens
 * @param direction which end is cut
 */
public record TruncationParams(int maxLength, int stride, Strategy strategy, Direction direction) {
    /** Python {@code TruncationStrategy}. */
    public enum Strategy {
        /** Remove from the longer sequence first ({@code longest_first}). */
        LONGEST_FIRST,
        /** Only truncate the first sequence ({@code only_first}). */
        ONLY_FIRST,
        /** Only truncate the second sequence ({@code only_second}). */
        ONLY_SECOND
    }

    /** Which side is cut ({@code truncation_side}). */
    public enum Direction { RIGHT, LEFT }

    public TruncationParams {
        if (maxLength < 0 || stride < 0) {
            throw new IllegalArgumentException("truncation: max_length and stride must be >= 0, found "
                    + maxLength + " and " + stride);
        }
        if (strategy == null || direction == null) {
            throw new IllegalArgumentException("truncation: strategy and direction are required");
        }
    }

    /** {@code max_length} with stride 0, longest_first, right. */
    public static TruncationParams of(int maxLength) {
        return new TruncationParams(maxLength, 0, Strategy.LONGEST_FIRST, Direction.RIGHT);
    }
}
