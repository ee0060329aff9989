package dev.tune4j.io.safetensors;

/**
 * String escaping that reproduces two JSON writers byte for byte. Jackson's escaping differs
 * from both (upper-case hex, different set of escaped characters), and these files are compared
 * byte-wise with the Python ecosystem's, hence the hand-written code.
 */
final class JsonText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {}

    /**
     * Appends {@code s} quoted as Rust's serde_json writes it (the safetensors header): quote and
     * backslash escaped, control characters as short escapes or <code>&#92;u00xx</code>, everything else
     * as raw UTF-8.
     *
     * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate (no UTF-8 form)
     */
    static void appendSerde(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        appendUnicodeEscape(out, c);
                    } else {
                        if (Character.isSurrogate(c)) {
                            checkPaired(s, i);
                        }
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Appends {@code s} quoted as Python's {@code json.dumps} writes it with its default
     * {@code ensure_ascii=True}: printable ASCII as is, short escapes for the usual control
     * characters, every other UTF-16 unit (DEL and non-ASCII included) as <code>&#92;uxxxx</code>.
     */
    static void appendPythonAscii(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        appendUnicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** True when {@code s} has no unpaired surrogate, so it has a UTF-8 encoding. */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void checkPaired(String s, int i) {
        char c = s.charAt(i);
        boolean paired = Character.isHighSurrogate(c)
                ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        if (!paired) {
            throw new IllegalArgumentException("string has an unpaired surrogate at index " + i);
        }
    }

    private static void appendUnicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
