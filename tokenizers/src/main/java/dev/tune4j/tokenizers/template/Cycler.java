package dev.tune4j.tokenizers.template;

import java.util.List;

/** jinja2's {@code cycler(*items)}: {@code next()} returns the current item and advances. */
final class Cycler {
    private final List<Object> items;
    private int pos;

    Cycler(List<Object> items) {
        if (items.isEmpty()) {
            throw new TemplateException("RuntimeError: at least one item has to be provided");
        }
        this.items = List.copyOf(new java.util.ArrayList<>(items).stream().map(x -> x == null ? NONE : x).toList());
    }

    private static final Object NONE = new Object();

    private Object at(int i) {
        Object v = items.get(i);
        return v == NONE ? null : v;
    }

    Object attr(String name) {
        return switch (name) {
            case "current" -> at(pos);
            case "next" -> (PyCallable) (a, k) -> {
                Object v = at(pos);
                pos = (pos + 1) % items.size();
                return v;
            };
            case "reset" -> (PyCallable) (a, k) -> {
                pos = 0;
                return null;
            };
            case "items" -> new java.util.ArrayList<>(items.stream().map(x -> x == NONE ? null : x).toList());
            default -> Undefined.attribute(this, name);
        };
    }
}
