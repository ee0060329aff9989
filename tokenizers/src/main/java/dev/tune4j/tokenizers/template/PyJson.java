package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)},
 * which transformers installs as the {@code tojson} filter. Written by hand because the exact
 * bytes matter: separators default to {@code ", "} and {@code ": "} (item separator {@code ","}
 * once indent is set), floats print as Python's {@code repr}, non-ASCII stays raw, control
 * characters escape as lowercase backslash-u00XX escapes, and nothing is HTML-escaped.
 */
final class PyJson {
    private PyJson() {}

    /**
     * @param indent null for single-line output, otherwise the string repeated per level
     * @param separators null for Python's defaults, otherwise (item separator, key separator)
     */
    static String dumps(Object value, String indent, List<String> separators, boolean sortKeys) {
        String itemSep = separators != null ? separators.get(0) : indent != null ? "," : ", ";
        String keySep = separators != null ? separators.get(1) : ": ";
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, itemSep, keySep, sortKeys, 0);
        return sb.toString();
    }

    private static void newline(StringBuilder sb, String indent, int level) {
        sb.append('\n');
        for (int i = 0; i < level; i++) {
            sb.append(indent);
        }
    }

    private static void write(StringBuilder sb, Object v, String indent, String itemSep, String keySep,
            boolean sortKeys, int level) {
        if (level > 1000) {
            throw new TemplateException("RecursionError: maximum recursion depth exceeded while encoding a JSON object");
        }
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Long l -> sb.append(l);
            case Double d -> sb.append(floatJson(d));
            case String s -> quote(sb, s);
            case Markup m -> quote(sb, m.text());
            case PyTuple t -> writeList(sb, t.items(), indent, itemSep, keySep, sortKeys, level);
            case List<?> l -> writeList(sb, l, indent, itemSep, keySep, sortKeys, level);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((x, y) -> Py.compare(x.getKey(), y.getKey(), "<"));
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    if (!first) {
                        sb.append(itemSep);
                    }
                    first = false;
                    if (indent != null) {
                        newline(sb, indent, level + 1);
                    }
                    quote(sb, keyString(e.getKey()));
                    sb.append(keySep);
                    write(sb, e.getValue(), indent, itemSep, keySep, sortKeys, level + 1);
                }
                if (indent != null) {
                    newline(sb, indent, level);
                }
                sb.append('}');
            }
            default -> throw new TemplateException("TypeError: Object of type " + Py.typeName(v)
                    + " is not JSON serializable");
        }
    }

    private static void writeList(StringBuilder sb, List<?> l, String indent, String itemSep, String keySep,
            boolean sortKeys, int level) {
        if (l.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(itemSep);
            }
            if (indent != null) {
                newline(sb, indent, level + 1);
            }
            write(sb, l.get(i), indent, itemSep, keySep, sortKeys, level + 1);
        }
        if (indent != null) {
            newline(sb, indent, level);
        }
        sb.append(']');
    }

    private static String keyString(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> floatJson(d);
            default -> throw new TemplateException("TypeError: keys must be str, int, float, bool or None, not "
                    + Py.typeName(k));
        };
    }

    static String floatJson(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Py.floatRepr(d);
    }

    private static void quote(StringBuilder sb, String s) {
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
                    if (c < 0x20) {
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
