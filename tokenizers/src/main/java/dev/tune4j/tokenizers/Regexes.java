package dev.tune4j.tokenizers;

import java.util.regex.PatternSyntaxException;

/**
 * Compiles the Oniguruma-flavoured patterns found in tokenizer.json with {@code java.util.regex}.
 *
 * <p>Translation notes: Oniguruma's {@code \s}, {@code \w}, {@code \d} are Unicode-aware and its
 * case folding is Unicode, so patterns get {@code UNICODE_CHARACTER_CLASS | UNICODE_CASE}. The rest
 * of the syntax used by real tokenizers ({@code \p{L}}, {@code \p{N}}, possessive quantifiers,
 * {@code (?i:...)}, look-ahead) means the same in both engines. {@code \h} (hexadecimal digit in
 * Oniguruma, horizontal space in Java) is rewritten to {@code [0-9a-fA-F]}.
 */
final class Regexes {
    private Regexes() {}

    static java.util.regex.Pattern compile(String onig, String where) {
        String translated = translate(onig);
        try {
            return java.util.regex.Pattern.compile(translated,
                    java.util.regex.Pattern.UNICODE_CHARACTER_CLASS | java.util.regex.Pattern.UNICODE_CASE);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(where + ": invalid regex " + quote(onig) + ": " + e.getDescription(), e);
        }
    }

    static String translate(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                if (n == 'h') {
                    sb.append("[0-9a-fA-F]");
                } else if (n == 'H') {
                    sb.append("[^0-9a-fA-F]");
                } else {
                    sb.append(c).append(n);
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
