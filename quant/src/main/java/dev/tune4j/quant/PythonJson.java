package dev.tune4j.quant;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON text exactly as Python's {@code json.dumps} does, for the small set of values
 * bitsandbytes and transformers serialise (strings, booleans, null, ints, floats, lists, maps).
 *
 * <p>Hand-written rather than Jackson because the bytes must match Python's: {@code ", "} and
 * {@code ": "} separators, {@code repr(float)} digits and exponent form, {@code []} for empty
 * lists under {@code indent}, and {@code ensure_ascii} escapes; Jackson's printers differ in each.
 */
final class PythonJson {
    private PythonJson() {}

    /**
     * Python {@code repr(float)}: the shortest decimal that round-trips the double, in fixed
     * notation for decimal exponents -4..15 and exponent form ({@code 2.5e-05}, {@code 1e+16})
     * otherwise; integral values keep a {@code .0}.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0.0) {
            return (1.0 / d < 0) ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-tripping digits on JDK 19 and later; only the
        // layout differs from Python's.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp10 = digits.length() - 1 - bd.scale(); // exponent of the first digit
        if (digits.length() == 2) {
            // Java prefers a closer 2-digit decimal where a 1-digit one also round-trips
            // (4.9E-324); Python's repr takes the shortest.
            String one = shortestSingleDigit(Math.abs(d), digits, exp10);
            if (one != null) {
                exp10 += one.length() - 1;
                digits = one.substring(0, 1);
            }
        }
        StringBuilder sb = new StringBuilder();
        if (d < 0) {
            sb.append('-');
        }
        if (exp10 < -4 || exp10 >= 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exp10 < 0 ? '-' : '+');
            int a = Math.abs(exp10);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        } else if (exp10 < 0) {
            sb.append("0.");
            sb.append("0".repeat(-exp10 - 1));
            sb.append(digits);
        } else if (digits.length() <= exp10 + 1) {
            sb.append(digits).append("0".repeat(exp10 + 1 - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, exp10 + 1).append('.').append(digits, exp10 + 1, digits.length());
        }
        return sb.toString();
    }

    /**
     * The single significant digit that round-trips {@code abs}, closest to it, or null. A result
     * of "10" means the digit 1 one decade up.
     */
    private static String shortestSingleDigit(double abs, String twoDigits, int exp10) {
        int lead = twoDigits.charAt(0) - '0';
        BigDecimal exact = new BigDecimal(abs);
        String best = null;
        BigDecimal bestErr = null;
        for (int cand = lead; cand <= lead + 1; cand++) {
            BigDecimal v = new BigDecimal(java.math.BigInteger.valueOf(cand), -exp10);
            if (Double.parseDouble(v.toString()) == abs) {
                BigDecimal err = v.subtract(exact).abs();
                if (bestErr == null || err.compareTo(bestErr) < 0) {
                    best = Integer.toString(cand);
                    bestErr = err;
                }
            }
        }
        return best;
    }

    /** {@code json.dumps(value)} with default settings (one line). */
    static String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** {@code json.dumps(value, indent=indent)}; maps are written in their iteration order. */
    static String dumps(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case String s -> writeString(sb, s);
            case Float f -> sb.append(floatRepr(f.doubleValue()));
            case Double d -> sb.append(floatRepr(d));
            case Number n -> sb.append(n.longValue());
            case int[] a -> {
                Object[] boxed = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    boxed[i] = a[i];
                }
                writeList(sb, List.of(boxed), indent, depth);
            }
            case List<?> l -> writeList(sb, l, indent, depth);
            case Map<?, ?> m -> writeMap(sb, m, indent, depth);
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static void writeList(StringBuilder sb, List<?> l, int indent, int depth) {
        if (l.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        boolean first = true;
        for (Object o : l) {
            separator(sb, first, indent, depth + 1);
            first = false;
            write(sb, o, indent, depth + 1);
        }
        closing(sb, indent, depth);
        sb.append(']');
    }

    private static void writeMap(StringBuilder sb, Map<?, ?> m, int indent, int depth) {
        if (m.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            separator(sb, first, indent, depth + 1);
            first = false;
            writeString(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            write(sb, e.getValue(), indent, depth + 1);
        }
        closing(sb, indent, depth);
        sb.append('}');
    }

    private static void separator(StringBuilder sb, boolean first, int indent, int depth) {
        if (indent < 0) {
            if (!first) {
                sb.append(", ");
            }
            return;
        }
        if (!first) {
            sb.append(',');
        }
        sb.append('\n').append(" ".repeat(indent * depth));
    }

    private static void closing(StringBuilder sb, int indent, int depth) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    /** A JSON string with Python's default {@code ensure_ascii=True} escaping. */
    private static void writeString(StringBuilder sb, String s) {
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
                    if (c < 0x20 || c > 0x7E) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
