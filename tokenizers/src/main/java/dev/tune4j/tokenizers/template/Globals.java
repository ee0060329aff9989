package dev.tune4j.tokenizers.template;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The global functions a chat template sees: jinja2's and the two transformers adds. */
final class Globals {
    /** jinja2's sandbox refuses larger ranges (MAX_RANGE). */
    static final long MAX_RANGE = 100_000;

    private Globals() {}

    static Map<String, Object> create(Clock clock) {
        Map<String, Object> g = new HashMap<>();
        g.put("raise_exception", (PyCallable) (a, k) -> {
            throw new TemplateException(a.isEmpty() ? "" : Py.str(a.get(0)));
        });
        g.put("strftime_now", (PyCallable) (a, k) -> {
            Object[] p = Params.bind("strftime_now", a, k, new String[] {"format"}, Params.REQUIRED);
            return Strftime.format(LocalDateTime.now(clock), Params.string(p[0], "strftime_now", "format"));
        });
        g.put("namespace", (PyCallable) (a, k) -> {
            Namespace ns = new Namespace();
            for (Object init : a) {
                if (!(init instanceof Map<?, ?> m)) {
                    throw new TemplateException("TypeError: namespace() positional argument must be a mapping");
                }
                m.forEach((key, v) -> ns.attrs.put(Py.str(key), v));
            }
            ns.attrs.putAll(k);
            return ns;
        });
        g.put("dict", (PyCallable) (a, k) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (!a.isEmpty()) {
                if (a.get(0) instanceof Map<?, ?> src) {
                    m.putAll(src);
                } else {
                    for (Object pair : Py.iterate(a.get(0))) {
                        List<Object> kv = Py.iterate(pair);
                        m.put(kv.get(0), kv.get(1));
                    }
                }
            }
            m.putAll(k);
            return m;
        });
        g.put("range", (PyCallable) Globals::range);
        g.put("cycler", (PyCallable) (a, k) -> new Cycler(a));
        g.put("joiner", (PyCallable) (a, k) -> {
            Object[] p = Params.bind("joiner", a, k, new String[] {"sep"}, ", ");
            boolean[] used = {false};
            return (PyCallable) (a2, k2) -> {
                if (!used[0]) {
                    used[0] = true;
                    return "";
                }
                return p[0];
            };
        });
        return g;
    }

    private static Object range(List<Object> a, Map<String, Object> k) {
        if (a.isEmpty() || a.size() > 3 || !k.isEmpty()) {
            throw new TemplateException("TypeError: range expected 1 to 3 integer arguments, got " + a.size());
        }
        long start = 0;
        long step = 1;
        long stop;
        if (a.size() == 1) {
            stop = Py.toIndex(a.get(0), "range() arguments");
        } else {
            start = Py.toIndex(a.get(0), "range() arguments");
            stop = Py.toIndex(a.get(1), "range() arguments");
            if (a.size() == 3) {
                step = Py.toIndex(a.get(2), "range() arguments");
            }
        }
        if (step == 0) {
            throw new TemplateException("ValueError: range() arg 3 must not be zero");
        }
        long count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                : (start > stop ? (start - stop - step - 1) / -step : 0);
        if (count > MAX_RANGE) {
            throw new TemplateException("OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE ("
                    + MAX_RANGE + ").");
        }
        return new PyRange(start, stop, step);
    }
}
