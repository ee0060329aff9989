package dev.tune4j.tokenizers;

import java.nio.charset.StandardCharsets;

/** Character predicates and UTF-8 helpers with the exact semantics of Rust's {@code char} methods. */
final class Chars {
    private Chars() {}

    /** Rust {@code char::is_whitespace}: the Unicode White_Space property (Java's own differs). */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000;
    }

    /** Rust {@code char::is_alphanumeric}: Alphabetic or Numeric (Nd, Nl, No). */
    static boolean isAlphanumeric(int c) {
        return Character.isAlphabetic(c) || isNumeric(c);
    }

    /** Rust {@code char::is_numeric}: general categories Nd, Nl, No. */
    static boolean isNumeric(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** Rust {@code char::is_control}: general category Cc. */
    static boolean isControl(int c) {
        return Character.getType(c) == Character.CONTROL;
    }

    /** Unicode punctuation categories (Pc, Pd, Ps, Pe, Pi, Pf, Po), as {@code is_punctuation} in the reference. */
    static boolean isUnicodePunctuation(int c) {
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** BERT's notion of punctuation: ASCII symbol ranges plus Unicode punctuation. */
    static boolean isBertPunctuation(int c) {
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)
                || isUnicodePunctuation(c);
    }

    /** Number of UTF-8 bytes of a code point. */
    static int utf8Len(int c) {
        return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }

    /** UTF-8 length of a whole string (lone surrogates count as U+FFFD, 3 bytes). */
    static int utf8Len(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int c = Character.codePointAt(s, i);
            n += Character.isSurrogate((char) c) ? 3 : utf8Len(c);
            i += Character.charCount(c);
        }
        return n;
    }

    /**
     * Replaces lone surrogates by U+FFFD. Rust strings cannot hold them; the reference receives such
     * text only after a lossy UTF-16 conversion, which does exactly this.
     */
    static String sanitize(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (Character.isSurrogate(ch)) {
                StringBuilder sb = new StringBuilder(n);
                sb.append(s, 0, i);
                for (int j = i; j < n; j++) {
                    char c = s.charAt(j);
                    if (Character.isHighSurrogate(c) && j + 1 < n && Character.isLowSurrogate(s.charAt(j + 1))) {
                        sb.append(c).append(s.charAt(j + 1));
                        j++;
                    } else if (Character.isSurrogate(c)) {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            }
        }
        return s;
    }

    /**
     * Decodes UTF-8 replacing each maximal ill-formed subpart with U+FFFD, exactly as Rust's
     * {@code String::from_utf8_lossy} does. Written by hand so that the replacement policy cannot
     * drift with the JDK's decoder.
     */
    static String decodeLossy(byte[] b, int len) {
        StringBuilder sb = new StringBuilder(len);
        int i = 0;
        while (i < len) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
                cp = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
            } else {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                if (j >= len) {
                    ok = false;
                    break;
                }
                int bk = b[j] & 0xFF;
                int l = k == 0 ? lo : 0x80;
                int h = k == 0 ? hi : 0xBF;
                if (bk < l || bk > h) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (bk & 0x3F);
            }
            if (ok) {
                sb.appendCodePoint(cp);
                i = j;
            } else {
                sb.append('\uFFFD');
                i = j; // skip the maximal valid prefix of the sequence
            }
        }
        return sb.toString();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
