package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * markupsafe's {@code Markup}: text marked safe. jinja2's {@code |safe} and {@code |escape} return
 * it even with autoescaping off, and it changes what later operations do: plain strings combined
 * with it by {@code +} or {@code %}, or passed to most of its methods, are HTML-escaped first
 * ({@code "<b>"|safe + "<i>"} renders {@code <b>&lt;i&gt;}). It prints as its text and compares
 * equal to an equal {@code str}.
 */
record Markup(String text) {

    /** Methods markupsafe re-wraps as Markup after escaping their string arguments. */
    private static final Set<String> ESCAPING = Set.of("capitalize", "title", "lower", "upper", "replace", "ljust",
            "rjust", "lstrip", "rstrip", "center", "strip", "swapcase", "zfill", "casefold", "removeprefix",
            "removesuffix", "partition", "rpartition", "format", "join");
    /** Methods whose resulting list items markupsafe wraps, without escaping the arguments. */
    private static final Set<String> SPLITTING = Set.of("split", "rsplit", "splitlines");

    /** markupsafe's {@code escape} of plain text. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The text a value contributes when combined with Markup: Markup as is, str escaped. */
    static Object escapeOperand(Object v) {
        return switch (v) {
            case Markup m -> m.text();
            case String s -> escape(s);
            default -> v;
        };
    }

    /** {@code markup % args}: string and other non-numeric arguments are escaped. */
    Markup percent(Object args) {
        Object escaped;
        if (args instanceof PyTuple t) {
            List<Object> items = new ArrayList<>();
            t.items().forEach(x -> items.add(escapeFormatArg(x)));
            escaped = new PyTuple(items);
        } else if (args instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(k, escapeFormatArg(x)));
            escaped = copy;
        } else {
            escaped = escapeFormatArg(args);
        }
        return new Markup(PyFormat.percent(text, escaped));
    }

    private static Object escapeFormatArg(Object x) {
        if (x == null || Py.isNumber(x)) {
            return x;
        }
        return x instanceof Markup m ? m.text() : escape(Py.str(x));
    }

    /** The bound method {@code markup.name}, or null when str has none. */
    PyCallable method(String name) {
        PyCallable plain = Methods.stringMethod(text, name);
        if (plain == null) {
            return null;
        }
        if (ESCAPING.contains(name)) {
            return (a, k) -> {
                List<Object> args = new ArrayList<>();
                for (Object x : a) {
                    args.add(name.equals("join") ? escapeItems(x) : escapeOperand(x));
                }
                Map<String, Object> kwargs = new LinkedHashMap<>();
                k.forEach((key, x) -> kwargs.put(key, escapeOperand(x)));
                return wrap(plain.call(args, kwargs));
            };
        }
        if (SPLITTING.contains(name)) {
            return (a, k) -> wrap(plain.call(a, k));
        }
        return plain;
    }

    private static Object escapeItems(Object seq) {
        List<Object> out = new ArrayList<>();
        for (Object x : Py.iterate(seq)) {
            Object e = escapeOperand(x);
            out.add(e instanceof String ? e : x);
        }
        return out;
    }

    private static Object wrap(Object result) {
        return switch (result) {
            case String s -> new Markup(s);
            case PyTuple t -> {
                List<Object> items = new ArrayList<>();
                t.items().forEach(x -> items.add(wrap(x)));
                yield new PyTuple(items);
            }
            case List<?> l -> {
                List<Object> items = new ArrayList<>();
                l.forEach(x -> items.add(wrap(x)));
                yield items;
            }
            case null -> null;
            default -> result;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
