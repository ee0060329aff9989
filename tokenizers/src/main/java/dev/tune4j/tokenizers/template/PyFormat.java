package dev.tune4j.tokenizers.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Python's two string formatting mini-languages: {@code "%s" % x} (also jinja2's {@code format}
 * filter) and {@code "{}".format(x)}. Supports the conversions chat templates use: s, r, d, i, f,
 * e, g, x, o, %, with fill, alignment, sign, zero padding, width and precision.
 */
final class PyFormat {
    private PyFormat() {}

    /** {@code fmt % args}: a tuple supplies several values, a dict named ones ({@code %(name)s}). */
    static String percent(String fmt, Object args) {
        List<Object> values = args instanceof PyTuple t ? t.items() : List.of(args == null ? NONE : args);
        StringBuilder sb = new StringBuilder();
        int next = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= n) {
                throw new TemplateException("ValueError: incomplete format");
            }
            Object value = null;
            boolean named = false;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0 || !(args instanceof Map<?, ?> m)) {
                    throw new TemplateException("TypeError: format requires a mapping");
                }
                value = m.get(fmt.substring(i + 1, close));
                named = true;
                i = close + 1;
            }
            StringBuilder flags = new StringBuilder();
            while (i < n && "-+ #0".indexOf(fmt.charAt(i)) >= 0) {
                flags.append(fmt.charAt(i++));
            }
            int width = -1;
            int s0 = i;
            while (i < n && Character.isDigit(fmt.charAt(i))) {
                i++;
            }
            if (i > s0) {
                width = Integer.parseInt(fmt.substring(s0, i));
            }
            int precision = -1;
            if (i < n && fmt.charAt(i) == '.') {
                int p0 = ++i;
                while (i < n && Character.isDigit(fmt.charAt(i))) {
                    i++;
                }
                precision = i > p0 ? Integer.parseInt(fmt.substring(p0, i)) : 0;
            }
            if (i >= n) {
                throw new TemplateException("ValueError: incomplete format");
            }
            char conv = fmt.charAt(i);
            if (conv == '%') {
                sb.append('%');
                continue;
            }
            if (!named) {
                if (next >= values.size()) {
                    throw new TemplateException("TypeError: not enough arguments for format string");
                }
                value = values.get(next++);
                if (value == NONE) {
                    value = null;
                }
            }
            String f = flags.toString();
            char align = f.contains("-") ? '<' : '>';
            char fill = f.contains("0") && align == '>' && conv != 's' && conv != 'r' ? '0' : ' ';
            String sign = f.contains("+") ? "+" : f.contains(" ") ? " " : "-";
            String body = formatOne(value, conv == 'i' || conv == 'u' ? 'd' : conv, precision, sign,
                    f.contains("#"));
            sb.append(pad(body, width, align, fill));
        }
        // Python skips this check for arguments with __getitem__ (mappings, lists, Undefined)
        if (next < values.size() && !(args instanceof Map || args instanceof List || args instanceof Undefined)) {
            throw new TemplateException("TypeError: not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    private static final Object NONE = new Object();

    /** {@code fmt.format(*args, **kwargs)}. */
    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c == '{') {
                if (i + 1 < n && fmt.charAt(i + 1) == '{') {
                    sb.append('{');
                    i++;
                    continue;
                }
                int close = fmt.indexOf('}', i);
                if (close < 0) {
                    throw new TemplateException("ValueError: Single '{' encountered in format string");
                }
                String field = fmt.substring(i + 1, close);
                i = close;
                String spec = "";
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                char conversion = 0;
                int bang = field.indexOf('!');
                if (bang >= 0) {
                    conversion = field.length() > bang + 1 ? field.charAt(bang + 1) : 0;
                    field = field.substring(0, bang);
                }
                int end = 0;
                while (end < field.length() && field.charAt(end) != '.' && field.charAt(end) != '[') {
                    end++;
                }
                String head = field.substring(0, end);
                Object value;
                if (head.isEmpty()) {
                    value = argAt(args, auto++);
                } else if (head.chars().allMatch(Character::isDigit)) {
                    value = argAt(args, Integer.parseInt(head));
                } else {
                    if (!kwargs.containsKey(head)) {
                        throw new TemplateException("KeyError: " + PyStr.repr(head));
                    }
                    value = kwargs.get(head);
                }
                value = walkField(value, field.substring(end));
                if (conversion == 'r') {
                    value = Py.repr(value);
                } else if (conversion == 's') {
                    value = Py.str(value);
                }
                sb.append(applySpec(value, spec));
            } else if (c == '}') {
                if (i + 1 < n && fmt.charAt(i + 1) == '}') {
                    i++;
                }
                sb.append('}');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object argAt(List<Object> args, int i) {
        if (i >= args.size()) {
            throw new TemplateException("IndexError: Replacement index " + i + " out of range for positional args tuple");
        }
        return args.get(i);
    }

    private static Object walkField(Object value, String rest) {
        int i = 0;
        while (i < rest.length()) {
            if (rest.charAt(i) == '.') {
                int j = i + 1;
                while (j < rest.length() && rest.charAt(j) != '.' && rest.charAt(j) != '[') {
                    j++;
                }
                value = value instanceof Map<?, ?> m ? m.get(rest.substring(i + 1, j)) : null;
                i = j;
            } else {
                int j = rest.indexOf(']', i);
                String key = rest.substring(i + 1, j);
                if (value instanceof Map<?, ?> m) {
                    value = m.get(key);
                } else if (value instanceof List || value instanceof PyTuple) {
                    value = Py.seqItems(value).get(Integer.parseInt(key));
                }
                i = j + 1;
            }
        }
        return value;
    }

    /** Applies a format spec {@code [[fill]align][sign][#][0][width][,][.precision][type]}. */
    static String applySpec(Object value, String spec) {
        if (spec.isEmpty()) {
            return Py.str(value);
        }
        int i = 0;
        char fill = ' ';
        char align = 0;
        if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        String sign = "-";
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) {
            sign = String.valueOf(spec.charAt(i++));
        }
        boolean alt = false;
        if (i < spec.length() && spec.charAt(i) == '#') {
            alt = true;
            i++;
        }
        if (i < spec.length() && spec.charAt(i) == '0' && align == 0) {
            fill = '0';
            align = '=';
            i++;
        }
        int w0 = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
            i++;
        }
        int width = i > w0 ? Integer.parseInt(spec.substring(w0, i)) : -1;
        boolean grouping = false;
        if (i < spec.length() && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
            grouping = true;
            i++;
        }
        int precision = -1;
        if (i < spec.length() && spec.charAt(i) == '.') {
            int p0 = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
                i++;
            }
            precision = Integer.parseInt(spec.substring(p0, i));
        }
        char type = i < spec.length() ? spec.charAt(i) : 0;
        if (type == 0) {
            type = value instanceof String ? 's' : Py.isIntegral(value) ? 'd' : value instanceof Double ? 'r' : 's';
        }
        String body = formatOne(value, type, precision, sign, alt);
        if (grouping && (type == 'd' || type == 'f')) {
            body = group(body);
        }
        if (align == 0) {
            align = value instanceof String || type == 's' ? '<' : '>';
        }
        if (align == '=') {
            String signPart = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? body.substring(0, 1) : "";
            String digits = body.substring(signPart.length());
            int padN = width - body.length();
            return padN > 0 ? signPart + String.valueOf(fill).repeat(padN) + digits : body;
        }
        return pad(body, width, align, fill);
    }

    private static String group(String body) {
        int start = body.startsWith("-") || body.startsWith("+") ? 1 : 0;
        int dot = body.indexOf('.');
        int end = dot < 0 ? body.length() : dot;
        StringBuilder digits = new StringBuilder(body.substring(start, end));
        for (int k = digits.length() - 3; k > 0; k -= 3) {
            digits.insert(k, ',');
        }
        return body.substring(0, start) + digits + body.substring(end);
    }

    private static String pad(String body, int width, char align, char fill) {
        int padN = width - PyStr.codePointLength(body);
        if (padN <= 0) {
            return body;
        }
        String f = String.valueOf(fill);
        return switch (align) {
            case '<' -> body + f.repeat(padN);
            case '^' -> f.repeat(padN / 2) + body + f.repeat(padN - padN / 2);
            default -> {
                if (fill == '0' && (body.startsWith("-") || body.startsWith("+"))) {
                    yield body.charAt(0) + f.repeat(padN) + body.substring(1);
                }
                yield f.repeat(padN) + body;
            }
        };
    }

    private static String withSign(String digits, boolean negative, String sign) {
        if (negative) {
            return "-" + digits;
        }
        return sign.equals("-") ? digits : sign + digits;
    }

    private static String formatOne(Object value, char conv, int precision, String sign, boolean alt) {
        switch (conv) {
            case 's' -> {
                String s = Py.str(value);
                return precision >= 0 && precision < PyStr.codePointLength(s)
                        ? s.substring(0, s.offsetByCodePoints(0, precision)) : s;
            }
            case 'r', 'a' -> {
                if (value instanceof Double d && conv == 'r' && precision < 0) {
                    String r = Py.floatRepr(Math.abs(d));
                    return withSign(r, d < 0 || (d == 0 && 1 / d < 0), sign);
                }
                return Py.repr(value);
            }
            case 'd', 'x', 'X', 'o', 'b' -> {
                if (!Py.isNumber(value)) {
                    throw new TemplateException("TypeError: %" + conv + " format: a real number is required, not "
                            + Py.typeName(value));
                }
                long v = value instanceof Double d ? (long) d.doubleValue() : Py.asLong(value);
                String digits = switch (conv) {
                    case 'x' -> (alt ? "0x" : "") + Long.toHexString(Math.abs(v));
                    case 'X' -> (alt ? "0X" : "") + Long.toHexString(Math.abs(v)).toUpperCase();
                    case 'o' -> (alt ? "0o" : "") + Long.toOctalString(Math.abs(v));
                    case 'b' -> (alt ? "0b" : "") + Long.toBinaryString(Math.abs(v));
                    default -> Long.toString(Math.abs(v));
                };
                return withSign(digits, v < 0, sign);
            }
            case 'f', 'F', 'e', 'E', 'g', 'G', '%' -> {
                if (!Py.isNumber(value)) {
                    throw new TemplateException("TypeError: must be real number, not " + Py.typeName(value));
                }
                double d = Py.asDouble(value);
                int p = precision < 0 ? 6 : precision;
                boolean neg = d < 0 || (d == 0 && 1 / d < 0);
                double a = Math.abs(d);
                String digits;
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    digits = Double.isNaN(d) ? "nan" : "inf";
                } else if (conv == '%') {
                    digits = new BigDecimal(a).multiply(BigDecimal.valueOf(100)).setScale(p, RoundingMode.HALF_EVEN)
                            .toPlainString() + "%";
                } else if (conv == 'f' || conv == 'F') {
                    digits = new BigDecimal(a).setScale(p, RoundingMode.HALF_EVEN).toPlainString();
                } else if (conv == 'e' || conv == 'E') {
                    digits = sci(a, p);
                } else {
                    digits = general(a, precision < 0 ? 6 : Math.max(precision, 1), alt);
                }
                if (Character.isUpperCase(conv)) {
                    digits = digits.toUpperCase();
                }
                return withSign(digits, neg, sign);
            }
            case 'c' -> {
                return value instanceof String s ? s : Character.toString((int) Py.asLong(value));
            }
            default -> throw new TemplateException("ValueError: unsupported format character '" + conv + "'");
        }
    }

    private static String sci(double a, int p) {
        if (a == 0) {
            return "0" + (p > 0 ? "." + "0".repeat(p) : "") + "e+00";
        }
        BigDecimal bd = new BigDecimal(a);
        BigDecimal rounded = bd.round(new java.math.MathContext(p + 1, RoundingMode.HALF_EVEN));
        int exp = rounded.precision() - rounded.scale() - 1;
        String unscaled = rounded.unscaledValue().toString();
        unscaled = (unscaled + "0".repeat(p + 1)).substring(0, p + 1);
        String mant = p > 0 ? unscaled.charAt(0) + "." + unscaled.substring(1) : unscaled.substring(0, 1);
        return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static String general(double a, int p, boolean alt) {
        if (a == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(a).round(new java.math.MathContext(p, RoundingMode.HALF_EVEN));
        int exp = rounded.precision() - rounded.scale() - 1;
        String s;
        if (exp >= -4 && exp < p) {
            s = rounded.setScale(Math.max(0, p - 1 - exp), RoundingMode.HALF_EVEN).toPlainString();
        } else {
            s = sci(a, p - 1);
        }
        if (!alt) {
            int e = s.indexOf('e');
            String mant = e < 0 ? s : s.substring(0, e);
            String tail = e < 0 ? "" : s.substring(e);
            if (mant.contains(".")) {
                mant = mant.replaceAll("0+$", "");
                if (mant.endsWith(".")) {
                    mant = mant.substring(0, mant.length() - 1);
                }
            }
            s = mant + tail;
        }
        return s;
    }
}
