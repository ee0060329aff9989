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

    /**
     * Punctuation characters (P*) the reference does not count as punctuation: its category table
     * predates their addition to Unicode. Found by asking the reference about every P* code point.
     */
    private static final int[] NEW_PUNCTUATION = {
        0x61D, 0x9FD, 0xA76, 0xC77, 0xC84, 0x1B4E, 0x1B4F, 0x1B7D, 0x1B7E, 0x1B7F, 0x2E43, 0x2E44, 0x2E45, 0x2E46,
        0x2E47, 0x2E48, 0x2E49, 0x2E4A, 0x2E4B, 0x2E4C, 0x2E4D, 0x2E4E, 0x2E4F, 0x2E52, 0x2E53, 0x2E54, 0x2E55,
        0x2E56, 0x2E57, 0x2E58, 0x2E59, 0x2E5A, 0x2E5B, 0x2E5C, 0x2E5D, 0x10D6E, 0x10EAD, 0x10F55, 0x10F56,
        0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88, 0x10F89, 0x113D4, 0x113D5, 0x113D7, 0x113D8, 0x1144B,
        0x1144C, 0x1144D, 0x1144E, 0x1144F, 0x1145A, 0x1145B, 0x1145D, 0x11660, 0x11661, 0x11662, 0x11663, 0x11664,
        0x11665, 0x11666, 0x11667, 0x11668, 0x11669, 0x1166A, 0x1166B, 0x1166C, 0x116B9, 0x1183B, 0x11944, 0x11945,
        0x11946, 0x119E2, 0x11A3F, 0x11A40, 0x11A41, 0x11A42, 0x11A43, 0x11A44, 0x11A45, 0x11A46, 0x11A9A, 0x11A9B,
        0x11A9C, 0x11A9E, 0x11A9F, 0x11AA0, 0x11AA1, 0x11AA2, 0x11B00, 0x11B01, 0x11B02, 0x11B03, 0x11B04, 0x11B05,
        0x11B06, 0x11B07, 0x11B08, 0x11B09, 0x11BE1, 0x11C41, 0x11C42, 0x11C43, 0x11C44, 0x11C45, 0x11C70, 0x11C71,
        0x11EF7, 0x11EF8, 0x11F43, 0x11F44, 0x11F45, 0x11F46, 0x11F47, 0x11F48, 0x11F49, 0x11F4A, 0x11F4B, 0x11F4C,
        0x11F4D, 0x11F4E, 0x11F4F, 0x11FFF, 0x12FF1, 0x12FF2, 0x16D6D, 0x16D6E, 0x16D6F, 0x16E97, 0x16E98, 0x16E99,
        0x16E9A, 0x16FE2, 0x1E5FF, 0x1E95E, 0x1E95F};

    /**
     * Unicode punctuation (Pc, Pd, Ps, Pe, Pi, Pf, Po) as the reference's {@code is_punctuation}
     * sees it, i.e. without the punctuation added to Unicode after its table was generated.
     */
    static boolean isUnicodePunctuation(int c) {
        if (c == 0x166D || c == 0x111C9) {
            return true; // punctuation (Po) in the reference's table, recategorized in later Unicode
        }
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> {
                return c < 0x600 || java.util.Arrays.binarySearch(NEW_PUNCTUATION, c) < 0;
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
