package dev.tune4j.tokenizers.template;

import java.util.HashMap;
import java.util.Map;

/**
 * One variable scope. jinja2 gives each for-loop iteration, macro call and with-block its own
 * scope (a {@code set} inside them is invisible outside), while if-blocks share their parent's.
 */
final class Frame {
    private final Map<String, Object> vars;
    private final Frame parent;

    Frame(Frame parent) {
        this(parent, new HashMap<>());
    }

    Frame(Frame parent, Map<String, Object> vars) {
        this.parent = parent;
        this.vars = vars;
    }

    /** The variable's value, or {@code MISSING} when no enclosing scope defines it. */
    Object lookup(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            Object v = f.vars.get(name);
            if (v != null || f.vars.containsKey(name)) {
                return v;
            }
        }
        return MISSING;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }

    static final Object MISSING = new Object();
}
