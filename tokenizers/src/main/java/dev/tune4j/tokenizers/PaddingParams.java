package dev.tune4j.tokenizers;

/**
 * Padding settings, as {@code tokenizers.Tokenizer.enable_padding(...)}.
 *
 * @param length fixed length, or null to pad to the longest of the batch ({@code BatchLongest})
 * @param direction side on which padding goes ({@code padding_side})
 * @param padToMultipleOf round the length up to a multiple of this, or null
 * @param padId id of the padding token
 * @param padTypeId type id given to padding
 * @param padToken string of the padding token
 */
public record PaddingParams(Integer length, Direction direction, Integer padToMultipleOf, int padId, int padTypeId,
                            String padToken) {
    /** Which side padding goes on. */
    public enum Direction { RIGHT, LEFT }

    public PaddingParams {
        if (direction == null || padToken == null) {
            throw new IllegalArgumentException("padding: direction and pad_token are required");
        }
        if (length != null && length < 0) {
            throw new IllegalArgumentException("padding: length must be >= 0, found " + length);
        }
    }

    /** Pad to the longest in the batch, on the right, with {@code padToken}/{@code padId}. */
    public static PaddingParams longest(String padToken, int padId) {
        return new PaddingParams(null, Direction.RIGHT, null, padId, 0, padToken);
    }
}
