package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.List;

/** jinja2's {@code cycler(*items)}: {@code next()} returns the current item and advances. */
final class Cycler {
    private final List<Object> items;
    private int pos;

    Cycler(List<Object> items) {
        if (items.isEmpty()) {
            throw new TemplateException("RuntimeError: at least one item has to be provided");
        }
        this.items = new ArrayList<>(items); // may hold None, so not List.copyOf
    }

    Object attr(String name) {
        return switch (name) {
            case "current" -> items.get(pos);
            case "next" -> (PyCallable) (a, k) -> {
                Object v = items.get(pos);
                pos = (pos + 1) % items.size();
                return v;
            };
            case "reset" -> (PyCallable) (a, k) -> {
                pos = 0;
                return null;
            };
            case "items" -> new ArrayList<>(items);
            default -> Undefined.attribute(this, name);
        };
    }
}
