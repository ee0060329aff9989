package dev.tune4j.tokenizers.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * jinja2's built-in filters as of 3.1 (those chat templates use), plus transformers' {@code tojson}
 * which replaces jinja2's own. Each follows the Python source's behaviour, including its defaults
 * ({@code sort} and {@code unique} compare strings case-insensitively unless asked otherwise).
 */
final class Filters {
    private Filters() {}

    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "indent", "int", "items",
            "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
            "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim",
            "truncate", "unique", "upper", "wordcount", "pprint", "striptags");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    private static final String[] NO_NAMES = {};

    static Object apply(Interpreter in, String name, Object v, List<Object> a, Map<String, Object> k) {
        switch (name) {
            case "safe" -> {
                Params.bind(name, a, k, NO_NAMES);
                return v instanceof Markup ? v : new Markup(Py.str(v));
            }
            case "string" -> {
                Params.bind(name, a, k, NO_NAMES);
                return v instanceof Markup ? v : Py.str(v);
            }
            // jinja2 applies these to soft_str(value), which keeps Markup, whose methods return Markup
            case "trim" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"chars"}, (Object) null);
                return keepMarkup(v, PyStr.strip(Py.str(v), p[0] == null ? null : Params.string(p[0], name, "chars")));
            }
            case "upper" -> {
                return keepMarkup(v, PyStr.upper(Py.str(v)));
            }
            case "lower" -> {
                return keepMarkup(v, PyStr.lower(Py.str(v)));
            }
            case "capitalize" -> {
                return keepMarkup(v, PyStr.capitalize(Py.str(v)));
            }
            case "title" -> {
                return title(Py.str(v));
            }
            case "length", "count" -> {
                return Py.len(v);
            }
            case "first" -> {
                if (v instanceof PyIterator it) {
                    Object next = it.next();
                    return next == Frame.MISSING ? Undefined.withMessage("No first item, sequence was empty.") : next;
                }
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? Undefined.withMessage("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                if (v instanceof PyIterator it) {
                    throw new TemplateException("TypeError: '" + it.typeName() + "' object is not reversible");
                }
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? Undefined.withMessage("No last item, sequence was empty.")
                        : items.get(items.size() - 1);
            }
            case "list" -> {
                return new ArrayList<>(Py.iterate(v));
            }
            case "join" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"d", "attribute"}, "", null);
                StringBuilder sb = new StringBuilder();
                List<Object> items = Py.iterate(v);
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        sb.append(Py.str(p[0]));
                    }
                    Object item = p[1] == null ? items.get(i) : attribute(in, items.get(i), p[1], null);
                    sb.append(Py.str(item));
                }
                return sb.toString();
            }
            case "default", "d" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"default_value", "boolean"}, "", false);
                return v instanceof Undefined || (Py.truthy(p[1]) && !Py.truthy(v)) ? p[0] : v;
            }
            case "int" -> {
                if (v instanceof Undefined u) {
                    throw u.fail();
                }
                Object[] p = Params.bind(name, a, k, new String[] {"default", "base"}, 0L, 10L);
                return toInt(v, p[0], (int) Params.integer(p[1], name, "base"));
            }
            case "float" -> {
                if (v instanceof Undefined u) {
                    throw u.fail();
                }
                Object[] p = Params.bind(name, a, k, new String[] {"default"}, 0.0);
                return toFloat(v, p[0]);
            }
            case "abs" -> {
                if (v instanceof Double d) {
                    return Math.abs(d);
                }
                if (Py.isIntegral(v)) {
                    return Math.abs(Py.asLong(v));
                }
                throw new TemplateException("TypeError: bad operand type for abs(): '" + Py.typeName(v) + "'");
            }
            case "round" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"precision", "method"}, 0L, "common");
                return round(v, (int) Params.integer(p[0], name, "precision"), Py.str(p[1]));
            }
            case "replace" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"old", "new", "count"}, Params.REQUIRED,
                        Params.REQUIRED, null);
                long count = p[2] == null ? -1 : Params.integer(p[2], name, "count");
                return Methods.replace(Py.str(v), Py.str(p[0]), Py.str(p[1]), count);
            }
            case "reverse" -> {
                if (Py.text(v) != null) {
                    return Py.slice(v, null, null, -1L);
                }
                // reversed(seq) is an iterator; anything else is listed and reversed into a list
                String iteratorType = switch (v) {
                    case PyTuple t -> "reversed";
                    case List<?> l -> "list_reverseiterator";
                    case Map<?, ?> m -> "dict_reversekeyiterator";
                    case PyRange r -> "range_iterator";
                    default -> null;
                };
                List<Object> items = new ArrayList<>(Py.iterate(v));
                java.util.Collections.reverse(items);
                return iteratorType == null ? items : new PyIterator(items, iteratorType);
            }
            case "sort" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"reverse", "case_sensitive", "attribute"}, false,
                        false, null);
                List<Object> items = new ArrayList<>(Py.iterate(v));
                Comparator<Object> cmp = sortComparator(in, p[2], Py.truthy(p[1]));
                items.sort(Py.truthy(p[0]) ? cmp.reversed() : cmp);
                return items;
            }
            case "unique" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"case_sensitive", "attribute"}, false, null);
                List<Object> seen = new ArrayList<>();
                List<Object> out = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    Object key = sortKey(in, item, p[1], Py.truthy(p[0]));
                    if (seen.stream().noneMatch(s -> Py.eq(s, key))) {
                        seen.add(key);
                        out.add(item);
                    }
                }
                return PyIterator.generator(out);
            }
            case "min", "max" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"case_sensitive", "attribute"}, false, null);
                List<Object> items = Py.iterate(v);
                if (items.isEmpty()) {
                    return Undefined.withMessage("No aggregated item, sequence was empty.");
                }
                Comparator<Object> cmp = keyComparator(in, p[1], Py.truthy(p[0]));
                Object best = items.get(0);
                for (Object item : items) {
                    int c = cmp.compare(item, best);
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = item;
                    }
                }
                return best;
            }
            case "sum" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"attribute", "start"}, null, 0L);
                Object total = p[1];
                for (Object item : Py.iterate(v)) {
                    total = Py.binary("+", total, p[0] == null ? item : attribute(in, item, p[0], null));
                }
                return total;
            }
            case "map" -> {
                return map(in, v, a, k);
            }
            case "select", "reject" -> {
                return select(in, v, a, k, name.equals("select"), false);
            }
            case "selectattr", "rejectattr" -> {
                return select(in, v, a, k, name.equals("selectattr"), true);
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    return PyIterator.generator(new ArrayList<>());
                }
                if (!(v instanceof Map<?, ?>)) {
                    throw new TemplateException("TypeError: Can only get item pairs from a mapping.");
                }
                @SuppressWarnings("unchecked")
                List<Object> pairs = Py.iterate(in.call(in.getattr(v, "items"), List.of(), Map.of()));
                return PyIterator.generator(pairs);
            }
            case "dictsort" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"case_sensitive", "by", "reverse"}, false, "key", false);
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateException("TypeError: dictsort filter expects a mapping");
                }
                int pos = switch (Py.str(p[1])) {
                    case "key" -> 0;
                    case "value" -> 1;
                    default -> throw new TemplateException("FilterArgumentError: You can only sort by either \"key\" or \"value\"");
                };
                @SuppressWarnings("unchecked")
                List<Object> pairs = new ArrayList<>(Py.iterate(in.call(in.getattr(m, "items"), List.of(), Map.of())));
                boolean cs = Py.truthy(p[0]);
                Comparator<Object> cmp = (x, y) -> Py.compare(fold(((PyTuple) x).items().get(pos), cs),
                        fold(((PyTuple) y).items().get(pos), cs), "<");
                pairs.sort(Py.truthy(p[2]) ? cmp.reversed() : cmp);
                return pairs;
            }
            case "indent" -> {
                if (Py.text(v) == null) {
                    throw new TemplateException("TypeError: unsupported operand type(s) for +=: '" + Py.typeName(v)
                            + "' and 'str'");
                }
                Object[] p = Params.bind(name, a, k, new String[] {"width", "first", "blank"}, 4L, false, false);
                return keepMarkup(v, indent(Py.str(v), p[0] instanceof String s ? s
                        : " ".repeat((int) Params.integer(p[0], name, "width")), Py.truthy(p[1]), Py.truthy(p[2])));
            }
            case "escape", "e" -> {
                return v instanceof Markup ? v : new Markup(Markup.escape(Py.str(v)));
            }
            case "forceescape" -> {
                return new Markup(Markup.escape(Py.str(v)));
            }
            case "wordcount" -> {
                String s = Py.str(v);
                long n = 0;
                boolean inWord = false;
                for (int i = 0; i < s.length(); ) {
                    int c = s.codePointAt(i);
                    i += Character.charCount(c);
                    boolean w = Character.isLetterOrDigit(c) || c == '_';
                    if (w && !inWord) {
                        n++;
                    }
                    inWord = w;
                }
                return n;
            }
            case "center" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"width"}, 80L);
                return keepMarkup(v, Methods.justify(Py.str(v), "center", (int) Params.integer(p[0], name, "width"), " "));
            }
            case "batch" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"linecount", "fill_with"}, Params.REQUIRED, null);
                int n = (int) Params.integer(p[0], name, "linecount");
                if (n <= 0) {
                    throw new TemplateException("ValueError: batch size must be positive");
                }
                List<Object> out = new ArrayList<>();
                List<Object> cur = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    if (cur.size() == n) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                    cur.add(item);
                }
                if (!cur.isEmpty()) {
                    if (p[1] != null) {
                        while (cur.size() < n) {
                            cur.add(p[1]);
                        }
                    }
                    out.add(cur);
                }
                return PyIterator.generator(out);
            }
            case "truncate" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"length", "killwords", "end", "leeway"}, 255L, false,
                        "...", null);
                if (Py.text(v) == null) {
                    // jinja2 measures len(s) before converting; short sequences come back unchanged
                    long leeway = p[3] == null ? 5 : Params.integer(p[3], name, "leeway");
                    if (Py.len(v) <= Params.integer(p[0], name, "length") + leeway) {
                        return v;
                    }
                }
                String end = v instanceof Markup ? Markup.escape(Py.str(p[2])) : Py.str(p[2]);
                return keepMarkup(v, truncate(Py.str(v), (int) Params.integer(p[0], name, "length"), Py.truthy(p[1]), end,
                        p[3] == null ? 5 : (int) Params.integer(p[3], name, "leeway")));
            }
            case "attr" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"name"}, Params.REQUIRED);
                String attr = Py.str(p[0]);
                if (v instanceof Map<?, ?> && Methods.bound(v, attr) == null) {
                    return Undefined.attribute(v, attr);
                }
                return in.getattr(v, attr);
            }
            case "format" -> {
                Object args = !k.isEmpty() ? new LinkedHashMap<>(k) : new PyTuple(a);
                return v instanceof Markup m ? m.percent(args) : PyFormat.percent(Py.str(v), args);
            }
            case "tojson" -> {
                Object[] p = Params.bind(name, a, k, new String[] {"ensure_ascii", "indent", "separators", "sort_keys"},
                        false, null, null, false);
                String indent = p[1] == null ? null
                        : p[1] instanceof String s ? s : " ".repeat((int) Math.max(0, Params.integer(p[1], name, "indent")));
                List<String> seps = null;
                if (p[2] != null) {
                    List<Object> sp = Py.iterate(p[2]);
                    if (sp.size() != 2) {
                        throw new TemplateException("ValueError: separators must be an (item_separator, key_separator) pair");
                    }
                    seps = List.of(Py.str(sp.get(0)), Py.str(sp.get(1)));
                }
                String json = PyJson.dumps(v, indent, seps, Py.truthy(p[3]));
                return Py.truthy(p[0]) ? asciiOnly(json) : json;
            }
            case "pprint" -> {
                return Py.repr(v);
            }
            case "striptags" -> {
                String s = Py.str(v).replaceAll("(?s)<!--.*?-->|<[^>]*>", "");
                return String.join(" ", PyStr.split(s, null, -1).stream().map(Py::str).toList());
            }
            default -> throw new TemplateException("No filter named '" + name + "' found.");
        }
    }

    private static String asciiOnly(String json) {
        StringBuilder sb = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** jinja2's {@code title} filter: upper-cases after runs of {@code -}, whitespace, {@code ( { [ <}. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            boolean sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || PyStr.isSpace(c);
            if (sep) {
                sb.appendCodePoint(c);
                wordStart = true;
            } else if (wordStart) {
                sb.append(PyStr.upper(Character.toString(c)));
                wordStart = false;
            } else {
                sb.append(PyStr.lower(Character.toString(c)));
            }
        }
        return sb.toString();
    }

    private static Object fold(Object v, boolean caseSensitive) {
        return !caseSensitive && Py.text(v) != null ? PyStr.lower(Py.text(v)) : v;
    }

    private static Object sortKey(Interpreter in, Object item, Object attribute, boolean caseSensitive) {
        Object v = attribute == null ? item : attribute(in, item, attribute, null);
        return fold(v, caseSensitive);
    }

    private static Comparator<Object> keyComparator(Interpreter in, Object attribute, boolean caseSensitive) {
        return (x, y) -> Py.compare(sortKey(in, x, attribute, caseSensitive), sortKey(in, y, attribute, caseSensitive), "<");
    }

    /** {@code sort}'s keys are one-element lists in jinja2, so equal keys (None, Undefined) never reach {@code <}. */
    private static Comparator<Object> sortComparator(Interpreter in, Object attribute, boolean caseSensitive) {
        return (x, y) -> {
            Object kx = sortKey(in, x, attribute, caseSensitive);
            Object ky = sortKey(in, y, attribute, caseSensitive);
            return Py.eq(kx, ky) ? 0 : Py.compare(kx, ky, "<");
        };
    }

    /** jinja2's attribute getter: dotted path, integer parts index lists, optional default. */
    static Object attribute(Interpreter in, Object item, Object attribute, Object dflt) {
        Object v = item;
        List<Object> parts = attribute instanceof String s ? PyStr.split(s, ".", -1) : List.of(attribute);
        for (Object part : parts) {
            Object key = part;
            if (part instanceof String ps && !ps.isEmpty() && ps.chars().allMatch(Character::isDigit)) {
                key = Long.parseLong(ps);
            }
            v = in.getitem(v, key);
            if (v instanceof Undefined && dflt != null) {
                return dflt;
            }
        }
        return v;
    }

    private static Object map(Interpreter in, Object v, List<Object> a, Map<String, Object> k) {
        // jinja2 writes "if value: for item in value", so falsy non-iterables map to nothing
        List<Object> items = Py.truthy(v) ? Py.iterate(v) : List.of();
        List<Object> out = new ArrayList<>(items.size());
        if (a.isEmpty() && k.containsKey("attribute")) {
            Object dflt = k.get("default");
            for (Object item : items) {
                out.add(attribute(in, item, k.get("attribute"), dflt));
            }
            return PyIterator.generator(out);
        }
        if (a.isEmpty()) {
            throw new TemplateException("TypeError: map requires a filter argument");
        }
        String filter = Py.str(a.get(0));
        if (!exists(filter)) {
            throw new TemplateException("No filter named '" + filter + "'.");
        }
        List<Object> rest = a.subList(1, a.size());
        for (Object item : items) {
            out.add(apply(in, filter, item, rest, k));
        }
        return PyIterator.generator(out);
    }

    private static Object select(Interpreter in, Object v, List<Object> a, Map<String, Object> k, boolean keep,
            boolean byAttr) {
        List<Object> args = new ArrayList<>(a);
        Object attr = null;
        if (byAttr) {
            if (args.isEmpty()) {
                throw new TemplateException("TypeError: Missing parameter for attribute name");
            }
            attr = args.remove(0);
        }
        String test = args.isEmpty() ? null : Py.str(args.remove(0));
        if (test != null && !Tests.exists(test)) {
            throw new TemplateException("No test named '" + test + "'.");
        }
        List<Object> out = new ArrayList<>();
        for (Object item : Py.truthy(v) ? Py.iterate(v) : List.of()) {
            Object value = byAttr ? attribute(in, item, attr, null) : item;
            boolean ok = test == null ? Py.truthy(value) : Tests.apply(in, test, value, args, k);
            if (ok == keep) {
                out.add(item);
            }
        }
        return PyIterator.generator(out);
    }

    private static Object toInt(Object v, Object dflt, int base) {
        if (Py.text(v) != null) {
            String s = Py.text(v);
            String t = PyStr.strip(s, null).replace("_", "");
            try {
                if (base != 10) {
                    String body = t.toLowerCase();
                    if (base == 16 && (body.startsWith("0x") || body.startsWith("-0x"))) {
                        body = body.replace("0x", "");
                    }
                    return Long.parseLong(body, base);
                }
                return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                try {
                    return toInt(parseFloat(t), dflt, 10);
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                return dflt;
            }
            if (Math.abs(d) >= 0x1p63) {
                throw new TemplateException("OverflowError: " + Py.floatRepr(d) + " does not fit in a 64-bit int");
            }
            return (long) d.doubleValue();
        }
        if (Py.isIntegral(v)) {
            return Py.asLong(v);
        }
        return dflt;
    }

    private static double parseFloat(String t) {
        String s = PyStr.strip(t, null).toLowerCase();
        switch (s) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                if (s.isEmpty() || !s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
                    throw new NumberFormatException(t);
                }
                return Double.parseDouble(s);
            }
        }
    }

    private static Object toFloat(Object v, Object dflt) {
        if (Py.text(v) != null) {
            String s = Py.text(v);
            try {
                return parseFloat(s.replace("_", ""));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        if (Py.isNumber(v)) {
            return Py.asDouble(v);
        }
        return dflt;
    }

    private static Object round(Object v, int precision, String method) {
        if (!Py.isNumber(v)) {
            throw new TemplateException("TypeError: type " + Py.typeName(v) + " doesn't define __round__ method");
        }
        switch (method) {
            case "common" -> {
                if (Py.isIntegral(v)) {
                    return Py.asLong(v);
                }
                double d = Py.asDouble(v);
                if (!Double.isFinite(d)) {
                    return d;
                }
                return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
            }
            case "ceil", "floor" -> {
                double scale = Math.pow(10, precision);
                double x = Py.asDouble(v) * scale;
                return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
            }
            default -> throw new TemplateException("FilterArgumentError: method must be common, ceil or floor");
        }
    }

    private static String indent(String s, String indention, boolean first, boolean blank) {
        List<Object> lines = PyStr.splitlines(s + "\n");
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    rv.append('\n').append(indention);
                }
                rv.append(lines.get(i));
            }
        } else {
            rv.append(lines.isEmpty() ? "" : (String) lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                rv.append('\n');
                if (!line.isEmpty()) {
                    rv.append(indention).append(line);
                }
            }
        }
        return first ? indention + rv : rv.toString();
    }

    private static Object keepMarkup(Object input, String result) {
        return input instanceof Markup ? new Markup(result) : result;
    }

    private static String truncate(String s, int length, boolean killwords, String end, int leeway) {
        int len = PyStr.codePointLength(s);
        if (length < PyStr.codePointLength(end)) {
            throw new TemplateException("expected length >= " + PyStr.codePointLength(end) + ", got " + length);
        }
        if (len <= length + leeway) {
            return s;
        }
        String head = (String) Py.slice(s, null, (long) (length - PyStr.codePointLength(end)), null);
        if (killwords) {
            return head + end;
        }
        return PyStr.rsplit(head, " ", 1).get(0) + end;
    }
}
