package dev.tune4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * JSON text exactly as Python's {@code json.dumps} writes it, so that files tune4j saves
 * (config.json, generation_config.json, adapter_config.json, trainer_state.json) are
 * byte-identical to the ones transformers and peft write. Jackson's printers differ in float
 * formatting ({@code 1.0E-6} against Python's {@code 1e-06}), in empty containers and in
 * escaping, hence this small writer.
 */
public final class PythonJson {
    private PythonJson() {}

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * {@code json.dumps(value, indent=indent, sort_keys=sortKeys)} for plain Java values (maps in
     * their iteration order, lists, arrays, strings, numbers, booleans, null); indent -1 writes
     * one line with Python's default separators.
     */
    public static String dumps(Object value, int indent, boolean sortKeys) {
        return dumps((JsonNode) MAPPER.valueToTree(value), indent, sortKeys);
    }

    /** {@code json.dumps(node, indent=indent, sort_keys=sortKeys)} (ensure_ascii=True). */
    public static String dumps(JsonNode node, int indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        write(sb, node, indent, sortKeys, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, JsonNode n, int indent, boolean sortKeys, int level) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            sb.append("null");
        } else if (n.isBoolean()) {
            sb.append(n.booleanValue() ? "true" : "false");
        } else if (n.isIntegralNumber()) {
            sb.append(n.bigIntegerValue());
        } else if (n.isNumber()) {
            sb.append(floatRepr(n.doubleValue()));
        } else if (n.isTextual()) {
            quote(sb, n.textValue());
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            boolean first = true;
            for (JsonNode e : n) {
                separator(sb, first, indent, level + 1);
                first = false;
                write(sb, e, indent, sortKeys, level + 1);
            }
            close(sb, indent, level);
            sb.append(']');
        } else if (n.isObject()) {
            if (n.isEmpty()) {
                sb.append("{}");
                return;
            }
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            if (sortKeys) {
                names.sort(PythonJson::compareCodePoints);
            }
            sb.append('{');
            boolean first = true;
            for (String name : names) {
                separator(sb, first, indent, level + 1);
                first = false;
                quote(sb, name);
                sb.append(": ");
                write(sb, n.get(name), indent, sortKeys, level + 1);
            }
            close(sb, indent, level);
            sb.append('}');
        } else {
            throw new IllegalArgumentException("cannot write JSON node of type " + n.getNodeType());
        }
    }

    private static void separator(StringBuilder sb, boolean first, int indent, int level) {
        if (!first) {
            sb.append(indent < 0 ? ", " : ",");
        }
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void close(StringBuilder sb, int indent, int level) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    /** Python sorts str keys by code point; Java's String order is by UTF-16 unit. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The nearest decimal with the fewest digits that reads back as {@code v} (what repr picks). */
    private static BigDecimal shortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p < 17; p++) {
            BigDecimal r = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            if (r.doubleValue() == v) {
                return r.stripTrailingZeros();
            }
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /** A JSON string literal with ensure_ascii escaping. */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that round-trip (Java's
     * {@link Double#toString} gives the same digits), positional for exponents -4..15, otherwise
     * {@code 1e-06} style; {@code NaN}, {@code Infinity}, {@code -Infinity} as json.dumps writes them.
     */
    public static String floatRepr(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0.0" : "0.0";
        }
        BigDecimal bd = shortest(Math.abs(v));
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();        // decimal exponent of the first digit
        StringBuilder sb = new StringBuilder(v < 0 ? "-" : "");
        if (exp >= -4 && exp < 16) {
            if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
                } else {
                    sb.append(digits, 0, exp + 1).append('.').append(digits.substring(exp + 1));
                }
            } else {
                sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits.substring(1));
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        }
        return sb.toString();
    }
}
