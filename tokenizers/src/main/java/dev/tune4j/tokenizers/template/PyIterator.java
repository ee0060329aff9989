package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot Python iterator: what jinja2's {@code map}, {@code select}, {@code reject},
 * {@code selectattr}, {@code rejectattr}, {@code unique}, {@code batch}, {@code items} and
 * {@code reverse} filters return. Modelled because templates see the difference: it is always
 * truthy (even when empty: {@code {% if messages|selectattr("role", "eq", "x") %}} is always
 * taken), has no length, cannot be indexed, and a second loop over it finds nothing.
 */
final class PyIterator {
    private final List<Object> items;
    private final String typeName;
    private int pos;

    PyIterator(List<Object> items, String typeName) {
        this.items = items;
        this.typeName = typeName;
    }

    static PyIterator generator(List<Object> items) {
        return new PyIterator(items, "generator");
    }

    String typeName() {
        return typeName;
    }

    /** The items not yet consumed; consumes them all, like {@code list(it)}. */
    List<Object> drain() {
        List<Object> rest = new ArrayList<>(items.subList(pos, items.size()));
        pos = items.size();
        return rest;
    }

    /** {@code next(it)}, or {@link Frame#MISSING} when exhausted. */
    Object next() {
        return pos < items.size() ? items.get(pos++) : Frame.MISSING;
    }

    /** {@code x in it}: consumes items up to and including the first equal one. */
    boolean consumeUntil(Object x) {
        while (pos < items.size()) {
            if (Py.eq(items.get(pos++), x)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "<" + typeName + " object>";
    }
}
