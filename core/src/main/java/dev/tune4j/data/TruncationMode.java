package dev.tune4j.data;

/** Which part of an over-long example survives truncation; TRL's {@code truncation_mode}. */
public enum TruncationMode {
    /** Keep the first {@code maxLength} tokens (TRL's default, {@code "keep_start"}). */
    KEEP_START,
    /** Keep the last {@code maxLength} tokens ({@code "keep_end"}). */
    KEEP_END;

    /** Parses "keep_start" or "keep_end". */
    public static TruncationMode fromValue(String v) {
        return switch (v == null ? "" : v) {
            case "keep_start" -> KEEP_START;
            case "keep_end" -> KEEP_END;
            default -> throw new IllegalArgumentException("truncation mode must be keep_start or keep_end, found '" + v + "'");
        };
    }
}
