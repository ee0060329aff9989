package dev.tune4j.tokenizers;

/** Per-character case mapping as Rust's {@code char::to_lowercase} (no context, full mappings). */
final class RustCase {
    private RustCase() {}

    /** The multi-character lowercase of {@code cp}, or null when it is the simple mapping. */
    static String lower(int cp) {
        // U+0130 is the only character whose unconditional full lowercase mapping has two characters.
        return cp == 0x130 ? "i\u0307" : null;
    }
}
