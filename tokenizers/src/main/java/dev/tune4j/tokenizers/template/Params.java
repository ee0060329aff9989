package dev.tune4j.tokenizers.template;

import java.util.List;
import java.util.Map;

/** Binds Python-style call arguments to a fixed parameter list, with Python's error messages. */
final class Params {
    static final Object REQUIRED = new Object();

    private Params() {}

    /**
     * @param names parameter names in order
     * @param defaults one per name; {@link #REQUIRED} marks a parameter without default
     */
    static Object[] bind(String fn, List<Object> args, Map<String, Object> kwargs, String[] names, Object... defaults) {
        if (args.size() > names.length) {
            throw new TemplateException("TypeError: " + fn + "() takes at most " + names.length
                    + " argument(s) (" + args.size() + " given)");
        }
        Object[] out = new Object[names.length];
        int used = 0;
        for (int i = 0; i < names.length; i++) {
            if (i < args.size()) {
                out[i] = args.get(i);
                if (kwargs.containsKey(names[i])) {
                    throw new TemplateException("TypeError: " + fn + "() got multiple values for argument '"
                            + names[i] + "'");
                }
            } else if (kwargs.containsKey(names[i])) {
                out[i] = kwargs.get(names[i]);
                used++;
            } else if (defaults[i] == REQUIRED) {
                throw new TemplateException("TypeError: " + fn + "() missing required argument '" + names[i] + "'");
            } else {
                out[i] = defaults[i];
            }
        }
        if (used != kwargs.size()) {
            for (String k : kwargs.keySet()) {
                if (!List.of(names).contains(k)) {
                    throw new TemplateException("TypeError: " + fn + "() got an unexpected keyword argument '" + k + "'");
                }
            }
        }
        return out;
    }

    static String string(Object v, String fn, String param) {
        if (v instanceof String s) {
            return s;
        }
        throw new TemplateException("TypeError: " + fn + "() argument '" + param + "' must be str, not " + Py.typeName(v));
    }

    static long integer(Object v, String fn, String param) {
        if (Py.isIntegral(v)) {
            return Py.asLong(v);
        }
        throw new TemplateException("TypeError: " + fn + "() argument '" + param + "' must be int, not " + Py.typeName(v));
    }
}
