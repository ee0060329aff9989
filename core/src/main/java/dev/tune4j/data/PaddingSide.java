package dev.tune4j.data;

/** Which end of a row padding goes to; a tokenizer's {@code padding_side}. */
public enum PaddingSide {
    /** Append padding (the default; what causal-LM training uses). */
    RIGHT,
    /** Prepend padding (what batched generation uses). */
    LEFT;

    /** Parses "right" or "left". */
    public static PaddingSide fromValue(String v) {
        return switch (v == null ? "" : v) {
            case "right" -> RIGHT;
            case "left" -> LEFT;
            default -> throw new IllegalArgumentException("padding side must be 'right' or 'left', found '" + v + "'");
        };
    }
}
