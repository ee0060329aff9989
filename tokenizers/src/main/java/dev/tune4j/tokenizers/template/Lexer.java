package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a template into tokens exactly as jinja2 3.1's lexer does with {@code trim_blocks=True},
 * {@code lstrip_blocks=True} and {@code keep_trailing_newline=False}.
 *
 * <p>Written as a hand-made scanner instead of jinja2's regular expressions: Java's regex engine
 * recurses on alternations and would overflow the stack on large templates. The whitespace rules
 * (where most byte differences with jinja2 come from) are:
 * <ul>
 *   <li>all newlines ({@code \r\n}, {@code \r}) become {@code \n}, and one trailing newline of the
 *       source is dropped;</li>
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag;
 *       {@code -%}}, {@code -}}}, {@code -#}} all whitespace after it;</li>
 *   <li>trim_blocks: the first newline right after {@code %}} or {@code #}} is removed
 *       (not after {@code }}}, nor after {@code +%}}, nor after {@code {% raw %}});</li>
 *   <li>lstrip_blocks: spaces and tabs between the start of a line and a {@code {%} or {@code {#}
 *       are removed, unless the tag is written {@code {%+}; a line only "starts" at the beginning of
 *       the template or right after a newline that the previous token ended with.</li>
 * </ul>
 */
final class Lexer {
    private final String src;
    private final SourcePositions positions;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String normalized) {
        this.src = normalized;
        this.positions = new SourcePositions(normalized);
    }

    /** Newline normalization and trailing-newline removal done by jinja2 before lexing. */
    static String normalize(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    static List<Token> tokenize(String normalized) {
        Lexer lx = new Lexer(normalized);
        lx.run();
        return lx.out;
    }

    private TemplateSyntaxException error(String msg, int offset) {
        return positions.error(msg, offset);
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int tag = findTagStart(pos);
            if (tag < 0) {
                emitData(src.substring(pos), pos);
                pos = n;
                break;
            }
            char kind = src.charAt(tag + 1);
            int after = tag + 2;
            char sign = after < n && (src.charAt(after) == '-' || src.charAt(after) == '+') ? src.charAt(after) : 0;
            int rawEnd = kind == '%' ? matchRawBegin(tag) : -1;
            String text = src.substring(pos, tag);
            text = applyLeftStrip(text, sign, kind != '{');
            emitData(text, pos);
            int bodyStart = after + (sign != 0 ? 1 : 0);
            if (rawEnd >= 0) {
                pos = rawEnd;
                lineStarting = pos > 0 && src.charAt(pos - 1) == '\n';
                lexRaw(tag);
            } else if (kind == '#') {
                lexComment(tag, bodyStart);
            } else {
                out.add(new Token(kind == '%' ? Kind.BLOCK_BEGIN : Kind.VAR_BEGIN, src.substring(tag, bodyStart), null, tag));
                pos = bodyStart;
                lineStarting = false;
                lexTag(kind == '%', tag);
            }
        }
        out.add(new Token(Kind.EOF, "", null, n));
    }

    private int findTagStart(int from) {
        int i = from;
        int n = src.length();
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= n) {
                return -1;
            }
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
    }

    private String applyLeftStrip(String text, char sign, boolean blockOrComment) {
        if (sign == '-') {
            return PyStr.rstrip(text, null);
        }
        if (sign != '+' && blockOrComment) {
            int lpos = text.lastIndexOf('\n') + 1;
            if ((lpos > 0 || lineStarting) && lpos < text.length() && allSpace(text, lpos)) {
                return text.substring(0, lpos);
            }
        }
        return text;
    }

    private static boolean allSpace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!PyStr.isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void emitData(String text, int offset) {
        if (!text.isEmpty()) {
            out.add(new Token(Kind.DATA, text, text, offset));
        }
    }

    private int skipSpace(int i) {
        while (i < src.length() && PyStr.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    /** If {@code {%[-+]? raw [-]?%}} starts at {@code tag}, the offset after it, else -1. */
    private int matchRawBegin(int tag) {
        int i = tag + 2;
        if (i < src.length() && (src.charAt(i) == '-' || src.charAt(i) == '+')) {
            i++;
        }
        i = skipSpace(i);
        if (!src.startsWith("raw", i)) {
            return -1;
        }
        i = skipSpace(i + 3);
        if (src.startsWith("-%}", i)) {
            return skipSpace(i + 3);
        }
        if (src.startsWith("%}", i)) {
            return i + 2; // no trim_blocks after raw: jinja2's raw rule has no newline suffix
        }
        return -1;
    }

    private void lexRaw(int rawTag) {
        int search = pos;
        while (true) {
            int tag = src.indexOf("{%", search);
            if (tag < 0) {
                throw error("missing end of raw directive", rawTag);
            }
            int i = tag + 2;
            char sign = 0;
            if (i < src.length() && (src.charAt(i) == '-' || src.charAt(i) == '+')) {
                sign = src.charAt(i);
                i++;
            }
            i = skipSpace(i);
            if (src.startsWith("endraw", i)) {
                i = skipSpace(i + 6);
                int end = blockEnd(i);
                if (end >= 0) {
                    String text = applyLeftStrip(src.substring(pos, tag), sign, true);
                    emitData(text, pos);
                    pos = end;
                    lineStarting = src.charAt(pos - 1) == '\n';
                    return;
                }
            }
            search = tag + 2;
        }
    }

    /** Matches a block end ({@code +%}}, {@code -%}}+spaces, {@code %}}+optional newline) at i. */
    private int blockEnd(int i) {
        if (src.startsWith("+%}", i)) {
            return i + 3;
        }
        if (src.startsWith("-%}", i)) {
            return skipSpace(i + 3);
        }
        if (src.startsWith("%}", i)) {
            int e = i + 2;
            return e < src.length() && src.charAt(e) == '\n' ? e + 1 : e;
        }
        return -1;
    }

    private void lexComment(int tag, int bodyStart) {
        if (bodyStart >= src.length()) {
            // jinja2's lexer stops at end of input before looking for the comment end
            pos = src.length();
            return;
        }
        int j = src.indexOf("#}", bodyStart);
        if (j < 0) {
            throw error("missing end of comment tag", tag);
        }
        int end;
        char before = j - 1 >= bodyStart ? src.charAt(j - 1) : 0;
        if (before == '+') {
            end = j + 2;
        } else if (before == '-') {
            end = skipSpace(j + 2);
        } else {
            end = j + 2;
            if (end < src.length() && src.charAt(end) == '\n') {
                end++;
            }
        }
        pos = end;
        lineStarting = src.charAt(end - 1) == '\n';
    }

    private void lexTag(boolean block, int tagStart) {
        Deque<Character> balance = new ArrayDeque<>();
        int n = src.length();
        while (true) {
            if (pos >= n) {
                throw error("unexpected end of template, expected '" + (block ? "%}" : "}}") + "'", tagStart);
            }
            if (balance.isEmpty()) {
                int end = block ? blockEnd(pos) : varEnd(pos);
                if (end >= 0) {
                    out.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, src.substring(pos, end), null, pos));
                    lineStarting = src.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            char c = src.charAt(pos);
            if (PyStr.isSpace(c)) {
                pos++;
                continue;
            }
            if (c >= '0' && c <= '9') {
                lexNumber();
            } else if (Character.isLetter(c) || c == '_') {
                int s = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                String name = src.substring(s, pos);
                out.add(new Token(Kind.NAME, name, name, s));
            } else if (c == '\'' || c == '"') {
                lexString(c);
            } else {
                lexOperator(balance);
            }
        }
    }

    private int varEnd(int i) {
        if (src.startsWith("-}}", i)) {
            return skipSpace(i + 3);
        }
        return src.startsWith("}}", i) ? i + 2 : -1;
    }

    private int digits(int i) {
        // (\d+_)*\d+
        int n = src.length();
        int j = i;
        if (j >= n || !isDigit(src.charAt(j))) {
            return -1;
        }
        while (true) {
            while (j < n && isDigit(src.charAt(j))) {
                j++;
            }
            if (j + 1 < n && src.charAt(j) == '_' && isDigit(src.charAt(j + 1))) {
                j++;
                continue;
            }
            return j;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void lexNumber() {
        int s = pos;
        int intEnd = digits(s);
        int end = intEnd;
        boolean isFloat = false;
        boolean afterDot = s > 0 && src.charAt(s - 1) == '.';
        if (!afterDot) {
            int j = intEnd;
            if (j < src.length() && src.charAt(j) == '.') {
                int f = digits(j + 1);
                if (f >= 0) {
                    j = f;
                    isFloat = true;
                    end = f;
                }
            }
            if (j < src.length() && (src.charAt(j) == 'e' || src.charAt(j) == 'E')) {
                int k = j + 1;
                if (k < src.length() && (src.charAt(k) == '+' || src.charAt(k) == '-')) {
                    k++;
                }
                int e = digits(k);
                if (e >= 0) {
                    isFloat = true;
                    end = e;
                }
            }
        }
        String text = src.substring(s, end);
        String clean = text.replace("_", "");
        Object value;
        if (isFloat) {
            value = Double.parseDouble(clean);
        } else {
            try {
                value = Long.parseLong(clean);
            } catch (NumberFormatException e) {
                throw error("integer literal too large: " + text, s);
            }
        }
        out.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, text, value, s));
        pos = end;
    }

    private void lexString(char quote) {
        int s = pos;
        int i = pos + 1;
        int n = src.length();
        while (i < n && src.charAt(i) != quote) {
            i += src.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= n) {
            throw error("unexpected char " + quote + " (unterminated string)", s);
        }
        String raw = src.substring(s + 1, i);
        String value;
        try {
            value = PyStr.unescape(raw);
        } catch (TemplateException e) {
            throw error(e.getMessage(), s);
        }
        out.add(new Token(Kind.STRING, src.substring(s, i + 1), value, s));
        pos = i + 1;
    }

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"
    };

    private void lexOperator(Deque<Character> balance) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1) {
                    switch (c) {
                        case '(' -> balance.push(')');
                        case '[' -> balance.push(']');
                        case '{' -> balance.push('}');
                        case ')', ']', '}' -> {
                            if (balance.isEmpty()) {
                                throw error("unexpected '" + c + "'", pos);
                            }
                            char expected = balance.pop();
                            if (expected != c) {
                                throw error("unexpected '" + c + "', expected '" + expected + "'", pos);
                            }
                        }
                        default -> { }
                    }
                }
                out.add(new Token(Kind.OPERATOR, op, op, pos));
                pos += op.length();
                return;
            }
        }
        throw error("unexpected char '" + src.charAt(pos) + "'", pos);
    }
}
