package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on values ({@code content.strip()}, {@code message.get("x")},
 * {@code name.startswith("a")}). Methods that would mutate a list or dict are refused, as
 * jinja2's {@code ImmutableSandboxedEnvironment} refuses them.
 */
final class Methods {
    private Methods() {}

    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "pop", "reverse", "insert", "sort",
            "extend", "remove");

    /** The bound method {@code obj.name}, an unsafe-undefined for mutators, or null when none exists. */
    static Object bound(Object obj, String name) {
        return switch (obj) {
            case String s -> stringMethod(s, name);
            case Markup m -> m.method(name);
            case Map<?, ?> m -> DICT_MUTATORS.contains(name) ? Undefined.unsafe(obj, name) : dictMethod(m, name);
            case PyTuple t -> listMethod(t.items(), name);
            case List<?> l -> LIST_MUTATORS.contains(name) ? Undefined.unsafe(obj, name) : listMethod(l, name);
            case null -> null;
            default -> null;
        };
    }

    private static PyCallable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" -> (a, k) -> {
                noArgs("items", a, k);
                List<Object> out = new ArrayList<>();
                m.forEach((key, v) -> out.add(new PyTuple(java.util.Arrays.asList(key, v))));
                return new PyView("dict_items", out);
            };
            case "keys" -> (a, k) -> {
                noArgs("keys", a, k);
                return new PyView("dict_keys", new ArrayList<Object>(m.keySet()));
            };
            case "values" -> (a, k) -> {
                noArgs("values", a, k);
                return new PyView("dict_values", new ArrayList<Object>(m.values()));
            };
            case "get" -> (a, k) -> {
                if (a.isEmpty() || a.size() > 2 || !k.isEmpty()) {
                    throw new TemplateException("TypeError: get expected 1 or 2 arguments, got " + a.size());
                }
                Object key = a.get(0);
                if (m.containsKey(key)) {
                    return m.get(key);
                }
                return a.size() == 2 ? a.get(1) : null;
            };
            case "copy" -> (a, k) -> new LinkedHashMap<>(m);
            default -> null;
        };
    }

    private static PyCallable listMethod(List<?> l, String name) {
        return switch (name) {
            case "index" -> (a, k) -> {
                for (int i = 0; i < l.size(); i++) {
                    if (Py.eq(l.get(i), a.get(0))) {
                        return (long) i;
                    }
                }
                throw new TemplateException("ValueError: " + Py.repr(a.get(0)) + " is not in list");
            };
            case "count" -> (a, k) -> l.stream().filter(x -> Py.eq(x, a.get(0))).count();
            case "copy" -> (a, k) -> new ArrayList<Object>(l);
            default -> null;
        };
    }

    private static void noArgs(String name, List<Object> a, Map<String, Object> k) {
        if (!a.isEmpty() || !k.isEmpty()) {
            throw new TemplateException("TypeError: " + name + "() takes no arguments (" + a.size() + " given)");
        }
    }

    private static String optChars(List<Object> a, String fn) {
        if (a.isEmpty() || a.get(0) == null) {
            return null;
        }
        return Params.string(a.get(0), fn, "chars");
    }

    static PyCallable stringMethod(String s, String name) {
        return switch (name) {
            case "strip" -> (a, k) -> PyStr.strip(s, optChars(a, "strip"));
            case "lstrip" -> (a, k) -> PyStr.lstrip(s, optChars(a, "lstrip"));
            case "rstrip" -> (a, k) -> PyStr.rstrip(s, optChars(a, "rstrip"));
            case "split", "rsplit" -> (a, k) -> {
                Object[] p = Params.bind(name, a, k, new String[] {"sep", "maxsplit"}, null, -1L);
                String sep = p[0] == null ? null : Params.string(p[0], name, "sep");
                long max = Params.integer(p[1], name, "maxsplit");
                return name.equals("split") ? PyStr.split(s, sep, max) : PyStr.rsplit(s, sep, max);
            };
            case "splitlines" -> (a, k) -> PyStr.splitlines(s);
            case "startswith", "endswith" -> (a, k) -> {
                Object[] p = Params.bind(name, a, k, new String[] {"prefix", "start", "end"}, Params.REQUIRED, null, null);
                String sub = (String) Py.slice(s, p[1], p[2], null);
                List<Object> options = p[0] instanceof PyTuple t ? t.items() : List.of(p[0]);
                for (Object o : options) {
                    String x = Params.string(o, name, "prefix");
                    if (name.equals("startswith") ? sub.startsWith(x) : sub.endsWith(x)) {
                        return true;
                    }
                }
                return false;
            };
            case "upper" -> (a, k) -> PyStr.upper(s);
            case "lower", "casefold" -> (a, k) -> PyStr.lower(s);
            case "title" -> (a, k) -> PyStr.title(s);
            case "capitalize" -> (a, k) -> PyStr.capitalize(s);
            case "swapcase" -> (a, k) -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(c -> sb.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
                        : Character.isLowerCase(c) ? Character.toUpperCase(c) : c));
                return sb.toString();
            };
            case "replace" -> (a, k) -> {
                Object[] p = Params.bind("replace", a, k, new String[] {"old", "new", "count"}, Params.REQUIRED,
                        Params.REQUIRED, -1L);
                return replace(s, Params.string(p[0], "replace", "old"), Params.string(p[1], "replace", "new"),
                        Params.integer(p[2], "replace", "count"));
            };
            case "format" -> (a, k) -> PyFormat.format(s, a, k);
            case "join" -> (a, k) -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Py.iterate(a.get(0));
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        sb.append(s);
                    }
                    String str = Py.text(items.get(i));
                    if (str == null) {
                        throw new TemplateException("TypeError: sequence item " + i + ": expected str instance, "
                                + Py.typeName(items.get(i)) + " found");
                    }
                    sb.append(str);
                }
                return sb.toString();
            };
            case "find", "rfind", "index", "rindex" -> (a, k) -> {
                String sub = Params.string(a.get(0), name, "sub");
                long start = a.size() > 1 && a.get(1) != null ? Py.toIndex(a.get(1), "slice indices") : 0;
                String hay = (String) Py.slice(s, a.size() > 1 ? a.get(1) : null, a.size() > 2 ? a.get(2) : null, null);
                int idx = name.startsWith("r") ? hay.lastIndexOf(sub) : hay.indexOf(sub);
                if (idx < 0) {
                    if (name.endsWith("index")) {
                        throw new TemplateException("ValueError: substring not found");
                    }
                    return -1L;
                }
                long base = start < 0 ? Math.max(0, PyStr.codePointLength(s) + start) : start;
                return base + hay.codePointCount(0, idx);
            };
            case "count" -> (a, k) -> {
                String sub = Params.string(a.get(0), "count", "sub");
                if (sub.isEmpty()) {
                    return (long) PyStr.codePointLength(s) + 1;
                }
                long c = 0;
                for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
                    c++;
                }
                return c;
            };
            case "isdigit", "isdecimal", "isnumeric" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(PyStr::isSpace);
            case "isupper" -> (a, k) -> hasCased(s) && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> (a, k) -> hasCased(s) && s.codePoints().noneMatch(Character::isUpperCase);
            case "zfill" -> (a, k) -> {
                long w = Params.integer(a.get(0), "zfill", "width");
                int pad = (int) w - PyStr.codePointLength(s);
                if (pad <= 0) {
                    return s;
                }
                boolean signed = s.startsWith("-") || s.startsWith("+");
                return signed ? s.charAt(0) + "0".repeat(pad) + s.substring(1) : "0".repeat(pad) + s;
            };
            case "center", "ljust", "rjust" -> (a, k) -> {
                long w = Params.integer(a.get(0), name, "width");
                String fill = a.size() > 1 ? Params.string(a.get(1), name, "fillchar") : " ";
                return justify(s, name, (int) w, fill);
            };
            case "partition", "rpartition" -> (a, k) -> {
                String sep = Params.string(a.get(0), name, "sep");
                int i = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (i < 0) {
                    return name.equals("partition") ? new PyTuple(List.of(s, "", "")) : new PyTuple(List.of("", "", s));
                }
                return new PyTuple(List.of(s.substring(0, i), sep, s.substring(i + sep.length())));
            };
            case "removeprefix" -> (a, k) -> {
                String p = Params.string(a.get(0), name, "prefix");
                return s.startsWith(p) ? s.substring(p.length()) : s;
            };
            case "removesuffix" -> (a, k) -> {
                String p = Params.string(a.get(0), name, "suffix");
                return s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            };
            default -> null;
        };
    }

    private static boolean hasCased(String s) {
        return s.codePoints().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c));
    }

    static String replace(String s, String old, String rep, long count) {
        if (count < 0) {
            return s.replace(old, rep);
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        long done = 0;
        if (old.isEmpty()) {
            int[] cps = PyStr.codePoints(s);
            for (int c : cps) {
                if (done < count) {
                    sb.append(rep);
                    done++;
                }
                sb.appendCodePoint(c);
            }
            if (done < count) {
                sb.append(rep);
            }
            return sb.toString();
        }
        while (done < count) {
            int j = s.indexOf(old, i);
            if (j < 0) {
                break;
            }
            sb.append(s, i, j).append(rep);
            i = j + old.length();
            done++;
        }
        return sb.append(s.substring(i)).toString();
    }

    /** Python's {@code str.center}, {@code ljust}, {@code rjust}. */
    static String justify(String s, String how, int width, String fill) {
        int len = PyStr.codePointLength(s);
        int pad = width - len;
        if (pad <= 0) {
            return s;
        }
        return switch (how) {
            case "ljust" -> s + fill.repeat(pad);
            case "rjust" -> fill.repeat(pad) + s;
            default -> {
                int left = pad / 2 + (pad & width & 1);
                yield fill.repeat(left) + s + fill.repeat(pad - left);
            }
        };
    }
}
