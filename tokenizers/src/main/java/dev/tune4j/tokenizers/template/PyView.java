package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A dict view: what {@code d.items()}, {@code d.keys()} and {@code d.values()} return. Iterable
 * any number of times and sized like a list, but it prints as {@code dict_keys(['a'])}, cannot
 * be indexed (jinja2 yields Undefined), is not a sequence and is not JSON serializable.
 *
 * @param kind "dict_items", "dict_keys" or "dict_values"
 */
record PyView(String kind, List<Object> items) {

    PyView {
        items = java.util.Collections.unmodifiableList(new ArrayList<>(items));
    }

    @Override
    public String toString() {
        return kind + "(" + Py.repr(items) + ")";
    }

    /** Keys and items views compare like sets; values views only to themselves. */
    boolean sameAs(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof PyView v) || !v.kind.equals(kind) || kind.equals("dict_values")
                || v.items.size() != items.size()) {
            return false;
        }
        return items.stream().allMatch(x -> v.items.stream().anyMatch(y -> Py.eq(x, y)));
    }
}
