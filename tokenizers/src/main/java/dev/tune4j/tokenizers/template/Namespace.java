package dev.tune4j.tokenizers.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** jinja2's {@code namespace(...)}: the one mutable object templates may assign attributes on. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();

    @Override
    public String toString() {
        return "<Namespace " + Py.str(attrs) + ">";
    }
}
