package dev.tune4j.tokenizers.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics on the interpreter's value model: {@code null} (None), {@link Boolean},
 * {@link Long} (int), {@link Double} (float), {@link String}, {@link List} (list), {@link PyTuple},
 * {@link Map} (dict, insertion ordered), {@link Undefined}, {@link Namespace}, callables.
 * Printing follows {@code str()} / {@code repr()}, comparisons and arithmetic follow Python,
 * including its error messages for unsupported operand types.
 */
final class Py {
    private Py() {}

    // ---- conversion from caller-supplied Java values ----------------------------------------

    /** Deep-copies user values into the canonical model (Integer to Long, Float to Double, ...). */
    static Object fromJava(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Double d -> d;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Float f -> Double.parseDouble(f.toString());
            case BigInteger b -> {
                if (b.bitLength() >= 64) {
                    throw new TemplateException("integer " + b + " in the context does not fit in 64 bits");
                }
                yield b.longValue();
            }
            case BigDecimal b -> b.doubleValue();
            case Character c -> c.toString();
            case CharSequence cs -> cs.toString();
            case JsonNode n -> fromJson(n);
            case Map<?, ?> m -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                m.forEach((k, val) -> copy.put(fromJava(k), fromJava(val)));
                yield copy;
            }
            case Collection<?> c -> {
                List<Object> copy = new ArrayList<>(c.size());
                c.forEach(x -> copy.add(fromJava(x)));
                yield copy;
            }
            case Object[] arr -> {
                List<Object> copy = new ArrayList<>(arr.length);
                for (Object x : arr) {
                    copy.add(fromJava(x));
                }
                yield copy;
            }
            default -> v;
        };
    }

    /** Jackson trees (tokenizer_config.json values, tool schemas) as plain values. */
    private static Object fromJson(JsonNode n) {
        if (n.isObject()) {
            Map<Object, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), fromJson(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            n.forEach(x -> l.add(fromJson(x)));
            return l;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new TemplateException("integer " + n.asText() + " does not fit in 64 bits");
            }
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.asText();
    }

    // ---- type inspection --------------------------------------------------------------------

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "Markup";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case Macro m -> "Macro";
            case LoopContext l -> "LoopContext";
            case Cycler c -> "Cycler";
            case PyIterator it -> it.typeName();
            case PyView view -> view.kind();
            case PyRange r -> "range";
            case PyCallable c -> "builtin_function_or_method";
            default -> v.getClass().getSimpleName();
        };
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long asLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    static double asDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        return asLong(v);
    }

    /** An index argument (int or bool), as Python's {@code __index__}. */
    static long toIndex(Object v, String what) {
        if (isIntegral(v)) {
            return asLong(v);
        }
        throw new TemplateException(what + " must be integers, not " + typeName(v));
    }

    static List<Object> seqItems(Object v) {
        if (v instanceof PyTuple t) {
            return t.items();
        }
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) v;
        return l;
    }

    // ---- printing ---------------------------------------------------------------------------

    /** Python {@code str(v)}, which is what {@code {{ v }}} prints. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Markup m -> m.text();
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    /** Python {@code repr(v)}. */
    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> PyStr.repr(s);
            case Markup m -> "Markup(" + PyStr.repr(m.text()) + ")";
            case Undefined u -> "Undefined";
            case PyTuple t -> {
                StringBuilder sb = new StringBuilder("(");
                joinRepr(sb, t.items());
                yield sb.append(t.items().size() == 1 ? ",)" : ")").toString();
            }
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                joinRepr(sb, l);
                yield sb.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                }
                yield sb.append('}').toString();
            }
            default -> v.toString();
        };
    }

    private static void joinRepr(StringBuilder sb, List<?> items) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(repr(items.get(i)));
        }
    }

    /**
     * Python {@code repr(float)}: the shortest digits that round-trip, written positionally when the
     * decimal exponent is in [-4, 16) and as {@code 1e+16} / {@code 1e-05} otherwise.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        String sign = d < 0 ? "-" : "";
        BigDecimal bd = shortest(Math.abs(d));
        String digits = bd.unscaledValue().toString();
        int decpt = digits.length() - bd.scale(); // value = 0.digits * 10^decpt
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                return sign + "0." + "0".repeat(-decpt) + digits;
            }
            if (decpt >= digits.length()) {
                return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
            }
            return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        int exp = decpt - 1;
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : Integer.toString(Math.abs(exp));
        return sign + mant + "e" + (exp < 0 ? "-" : "+") + e;
    }

    private static BigDecimal shortest(double d) {
        // Java prints at least two significant digits where one would do (4.9E-324 for 5e-324);
        // Python keeps the shortest, so try one digit first.
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (bd.precision() == 2) {
            BigDecimal one = bd.round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == d) {
                return one.stripTrailingZeros();
            }
        }
        return bd;
    }

    // ---- truth, equality, ordering ----------------------------------------------------------

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case Markup m -> !m.text().isEmpty();
            case PyView view -> !view.items().isEmpty();
            case PyRange r -> r.length() > 0;
            case PyTuple t -> !t.items().isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) {
                return asLong(a) == asLong(b);
            }
            return asDouble(a) == asDouble(b);
        }
        if (a instanceof String || a instanceof Markup) {
            return Py.text(a).equals(Py.text(b));
        }
        if (a instanceof Undefined) {
            return b instanceof Undefined;
        }
        if (a instanceof PyView v) {
            return v.sameAs(b);
        }
        if (a instanceof PyRange r) {
            return b instanceof PyRange q && listEq(r.items(), q.items());
        }
        if (a instanceof PyTuple ta) {
            return b instanceof PyTuple tb && listEq(ta.items(), tb.items());
        }
        if (a instanceof List<?> la) {
            return b instanceof List<?> lb && listEq(la, lb);
        }
        if (a instanceof Map<?, ?> ma) {
            if (!(b instanceof Map<?, ?> mb) || ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !eq(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean listEq(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!eq(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python ordering for {@code <} and friends; raises TypeError-like errors for mixed types. */
    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
        if (isNumber(a) && isNumber(b)) {
            if (isIntegral(a) && isIntegral(b)) {
                return Long.compare(asLong(a), asLong(b));
            }
            return Double.compare(asDouble(a), asDouble(b));
        }
        if (text(a) != null && text(b) != null) {
            return compareStrings(text(a), text(b));
        }
        boolean bothTuples = a instanceof PyTuple && b instanceof PyTuple;
        boolean bothLists = a instanceof List && b instanceof List;
        if (bothTuples || bothLists) {
            List<Object> la = seqItems(a);
            List<Object> lb = seqItems(b);
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                if (!eq(la.get(i), lb.get(i))) {
                    return compare(la.get(i), lb.get(i), op);
                }
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw new TemplateException("TypeError: '" + op + "' not supported between instances of '"
                + typeName(a) + "' and '" + typeName(b) + "'");
    }

    /** Code point order, as Python compares strings (Java's compareTo uses UTF-16 units). */
    static int compareStrings(String a, String b) {
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

    /** The text of a str or Markup, else null. */
    static String text(Object v) {
        return v instanceof String s ? s : v instanceof Markup m ? m.text() : null;
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof Markup m) {
            container = m.text();
        }
        if (item instanceof Markup m) {
            item = m.text();
        }
        Object needleItem = item;
        if (container instanceof PyIterator it) {
            return it.consumeUntil(needleItem);
        }
        if (container instanceof PyRange r) {
            return r.items().stream().anyMatch(x -> eq(x, needleItem));
        }
        if (container instanceof PyView v) {
            return v.items().stream().anyMatch(x -> eq(x, needleItem));
        }
        return switch (container) {
            case String s -> {
                if (item instanceof Undefined u) {
                    throw u.fail();
                }
                if (!(item instanceof String needle)) {
                    throw new TemplateException("TypeError: 'in <string>' requires string as left operand, not "
                            + typeName(item));
                }
                yield s.contains(needle);
            }
            case PyTuple t -> t.items().stream().anyMatch(x -> eq(x, needleItem));
            case List<?> l -> l.stream().anyMatch(x -> eq(x, needleItem));
            case Map<?, ?> m when needleItem instanceof List || needleItem instanceof Map ->
                    throw new TemplateException("TypeError: unhashable type: '" + typeName(needleItem) + "'");
            case Map<?, ?> m -> m.containsKey(needleItem)
                    || (isNumber(needleItem) && m.keySet().stream().anyMatch(k -> eq(k, needleItem)));
            case Undefined u -> false;
            case Namespace n -> throw new TemplateException("TypeError: argument of type 'Namespace' is not iterable");
            case null -> throw new TemplateException("TypeError: argument of type 'NoneType' is not iterable");
            default -> throw new TemplateException("TypeError: argument of type '" + typeName(container)
                    + "' is not iterable");
        };
    }

    /** The items {@code for x in v} visits. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case PyTuple t -> t.items();
            case List<?> l -> seqItems(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case Markup m -> iterate(m.text());
            case PyIterator it -> it.drain();
            case PyView view -> view.items();
            case PyRange r -> r.items();
            case String s -> {
                List<Object> chars = new ArrayList<>(s.length());
                s.codePoints().forEach(c -> chars.add(Character.toString(c)));
                yield chars;
            }
            case Undefined u -> List.of();
            case null -> throw new TemplateException("TypeError: 'NoneType' object is not iterable");
            default -> throw new TemplateException("TypeError: '" + typeName(v) + "' object is not iterable");
        };
    }

    /** Python {@code len(v)}. */
    static long len(Object v) {
        return switch (v) {
            case String s -> PyStr.codePointLength(s);
            case Markup m -> PyStr.codePointLength(m.text());
            case PyView view -> view.items().size();
            case PyRange r -> r.length();
            case PyTuple t -> t.items().size();
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null -> throw new TemplateException("TypeError: object of type 'NoneType' has no len()");
            case Namespace n -> throw new TemplateException("TypeError: object of type 'Namespace' has no len()");
            default -> throw new TemplateException("TypeError: object of type '" + typeName(v) + "' has no len()");
        };
    }

    // ---- arithmetic -------------------------------------------------------------------------

    private static void checkUndefined(Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return new TemplateException("TypeError: unsupported operand type(s) for " + op + ": '" + typeName(a)
                + "' and '" + typeName(b) + "'");
    }

    static Object binary(String op, Object a, Object b) {
        if (op.equals("%") && a instanceof String fmt && b instanceof Undefined) {
            return PyFormat.percent(fmt, b);
        }
        checkUndefined(a, b);
        return switch (op) {
            case "+" -> add(a, b);
            case "-" -> numeric(op, a, b, Math::subtractExact, (x, y) -> x - y);
            case "*" -> mul(a, b);
            case "/" -> {
                if (!isNumber(a) || !isNumber(b)) {
                    throw unsupported(op, a, b);
                }
                if (asDouble(b) == 0) {
                    throw new TemplateException("ZeroDivisionError: division by zero");
                }
                yield asDouble(a) / asDouble(b);
            }
            case "//" -> {
                zeroCheck(op, a, b);
                yield numeric(op, a, b, Math::floorDiv, Py::floatFloorDiv);
            }
            case "%" -> {
                if (a instanceof Markup m) {
                    yield m.percent(b);
                }
                if (a instanceof String fmt) {
                    yield PyFormat.percent(fmt, b);
                }
                zeroCheck(op, a, b);
                yield numeric(op, a, b, Math::floorMod, Py::floatMod);
            }
            case "**" -> pow(a, b);
            default -> throw new IllegalStateException(op);
        };
    }

    private static void zeroCheck(String op, Object a, Object b) {
        if (isNumber(a) && isNumber(b) && asDouble(b) == 0) {
            throw new TemplateException(op.equals("%") ? "ZeroDivisionError: integer modulo by zero"
                    : "ZeroDivisionError: integer division or modulo by zero");
        }
    }

    /** CPython's float modulo: fmod, moved to the divisor's sign; a zero takes the divisor's sign. */
    private static double floatMod(double x, double y) {
        double r = x % y;
        if (r != 0) {
            if ((y < 0) != (r < 0)) {
                r += y;
            }
        } else {
            r = Math.copySign(0.0, y);
        }
        return r;
    }

    /** CPython's float floor division, which is not {@code floor(x / y)}: {@code 5 // 0.1 == 49.0}. */
    private static double floatFloorDiv(double x, double y) {
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0 && ((y < 0) != (mod < 0))) {
            div -= 1.0;
        }
        if (div != 0) {
            double floor = Math.floor(div);
            if (div - floor > 0.5) {
                floor += 1.0;
            }
            return floor;
        }
        return Math.copySign(0.0, x / y);
    }

    private interface LongOp { long apply(long a, long b); }

    private interface DoubleOp { double apply(double a, double b); }

    private static Object numeric(String op, Object a, Object b, LongOp lop, DoubleOp dop) {
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupported(op, a, b);
        }
        if (isIntegral(a) && isIntegral(b)) {
            try {
                return lop.apply(asLong(a), asLong(b));
            } catch (ArithmeticException e) {
                throw new TemplateException("OverflowError: integer result of " + op + " exceeds 64 bits");
            }
        }
        return dop.apply(asDouble(a), asDouble(b));
    }

    private static Object add(Object a, Object b) {
        if ((a instanceof Markup || b instanceof Markup) && text(a) != null && text(b) != null) {
            return new Markup(Markup.escapeOperand(a) + "" + Markup.escapeOperand(b));
        }
        if (a instanceof String sa) {
            if (b instanceof String sb) {
                return sa + sb;
            }
            throw new TemplateException("TypeError: can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof PyTuple ta) {
            if (b instanceof PyTuple tb) {
                List<Object> all = new ArrayList<>(ta.items());
                all.addAll(tb.items());
                return new PyTuple(all);
            }
            throw new TemplateException("TypeError: can only concatenate tuple (not \"" + typeName(b) + "\") to tuple");
        }
        if (a instanceof List<?> la) {
            if (b instanceof List<?> lb && !(b instanceof PyTuple)) {
                List<Object> all = new ArrayList<>(la);
                all.addAll(lb);
                return all;
            }
            throw new TemplateException("TypeError: can only concatenate list (not \"" + typeName(b) + "\") to list");
        }
        return numeric("+", a, b, Math::addExact, Double::sum);
    }

    private static Object mul(Object a, Object b) {
        if (a instanceof Markup m && isIntegral(b)) {
            return new Markup((String) repeat(m.text(), asLong(b)));
        }
        if (b instanceof Markup m && isIntegral(a)) {
            return new Markup((String) repeat(m.text(), asLong(a)));
        }
        if ((a instanceof String || a instanceof List || a instanceof PyTuple) && isIntegral(b)) {
            return repeat(a, asLong(b));
        }
        if ((b instanceof String || b instanceof List || b instanceof PyTuple) && isIntegral(a)) {
            return repeat(b, asLong(a));
        }
        return numeric("*", a, b, Math::multiplyExact, (x, y) -> x * y);
    }

    private static Object repeat(Object seq, long n) {
        int times = (int) Math.max(0, Math.min(n, Integer.MAX_VALUE));
        if (seq instanceof String s) {
            return s.repeat(times);
        }
        List<Object> items = seqItems(seq);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.addAll(items);
        }
        return seq instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static Object pow(Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) {
            throw new TemplateException("TypeError: unsupported operand type(s) for ** or pow(): '" + typeName(a)
                    + "' and '" + typeName(b) + "'");
        }
        if (isIntegral(a) && isIntegral(b) && asLong(b) >= 0) {
            long base = asLong(a);
            long exp = asLong(b);
            long result = 1;
            try {
                for (long i = 0; i < exp; i++) {
                    result = Math.multiplyExact(result, base);
                    if (result == 0 || result == 1 && base == 1) {
                        break;
                    }
                }
            } catch (ArithmeticException e) {
                throw new TemplateException("OverflowError: integer result of ** exceeds 64 bits");
            }
            return result;
        }
        if (asDouble(a) < 0 && !isIntegral(b) && asDouble(b) != Math.rint(asDouble(b))) {
            throw new TemplateException("ValueError: a negative number to a fractional power is complex in Python;"
                    + " complex numbers are not supported");
        }
        if (asDouble(a) == 0 && asDouble(b) < 0) {
            throw new TemplateException("ZeroDivisionError: 0.0 cannot be raised to a negative power");
        }
        double r = Math.pow(asDouble(a), asDouble(b));
        if (Double.isInfinite(r) && Double.isFinite(asDouble(a)) && Double.isFinite(asDouble(b))) {
            throw new TemplateException("OverflowError: (34, 'Numerical result out of range')");
        }
        return r;
    }

    static Object negate(Object v) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        if (v instanceof Double d) {
            return -d;
        }
        if (isIntegral(v)) {
            return -asLong(v);
        }
        throw new TemplateException("TypeError: bad operand type for unary -: '" + typeName(v) + "'");
    }

    static Object plus(Object v) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        if (v instanceof Double) {
            return v;
        }
        if (isIntegral(v)) {
            return asLong(v);
        }
        throw new TemplateException("TypeError: bad operand type for unary +: '" + typeName(v) + "'");
    }

    // ---- slicing ----------------------------------------------------------------------------

    /** Python {@code seq[start:stop:step]} on str, list or tuple. */
    static Object slice(Object seq, Object start, Object stop, Object step) {
        if (seq instanceof PyRange r) {
            return r.slice(start, stop, step);
        }
        if (seq instanceof Markup m) {
            return new Markup((String) slice(m.text(), start, stop, step));
        }
        long st = step == null ? 1 : toIndex(step, "slice indices");
        if (st == 0) {
            throw new TemplateException("ValueError: slice step cannot be zero");
        }
        int[] cps = seq instanceof String s ? PyStr.codePoints(s) : null;
        List<Object> items = cps == null ? seqItems(seq) : null;
        long len = cps != null ? cps.length : items.size();
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clampIndex(toIndex(start, "slice indices"), len, 0, len);
            hi = stop == null ? len : clampIndex(toIndex(stop, "slice indices"), len, 0, len);
        } else {
            lo = start == null ? len - 1 : clampIndex(toIndex(start, "slice indices"), len, -1, len - 1);
            hi = stop == null ? -1 : clampIndex(toIndex(stop, "slice indices"), len, -1, len - 1);
        }
        StringBuilder sb = cps != null ? new StringBuilder() : null;
        List<Object> out = cps == null ? new ArrayList<>() : null;
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            if (cps != null) {
                sb.appendCodePoint(cps[(int) i]);
            } else {
                out.add(items.get((int) i));
            }
        }
        if (cps != null) {
            return sb.toString();
        }
        return seq instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static long clampIndex(long i, long len, long min, long max) {
        if (i < 0) {
            i += len;
            if (i < 0) {
                return min;
            }
        }
        return Math.min(i, max);
    }
}
