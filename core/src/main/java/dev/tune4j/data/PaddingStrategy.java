package dev.tune4j.data;

/**
 * How a collator pads a batch; transformers' {@code PaddingStrategy}.
 *
 * <p>Python's {@code padding=True} is {@link #LONGEST} and {@code padding=False} is
 * {@link #DO_NOT_PAD}.
 */
public enum PaddingStrategy {
    /** Pad every row to the longest row of the batch ({@code padding=True}, the default). */
    LONGEST("longest"),
    /** Pad every row to {@code maxLength}. Rows longer than that are an error: padding never truncates. */
    MAX_LENGTH("max_length"),
    /** No padding; rows must already have equal lengths ({@code padding=False}). */
    DO_NOT_PAD("do_not_pad");

    private final String value;

    PaddingStrategy(String value) {
        this.value = value;
    }

    /** The transformers name. */
    public String value() {
        return value;
    }

    /** Parses "longest", "max_length", "do_not_pad", or "true"/"false" as Python's booleans. */
    public static PaddingStrategy fromValue(String v) {
        return switch (v == null ? "" : v) {
            case "longest", "true", "True" -> LONGEST;
            case "max_length" -> MAX_LENGTH;
            case "do_not_pad", "false", "False" -> DO_NOT_PAD;
            default -> throw new IllegalArgumentException("unknown padding strategy '" + v
                    + "'; expected longest, max_length or do_not_pad");
        };
    }
}
