package dev.tune4j.tokenizers.template;

import java.util.List;

/** A Python tuple: behaves like a list except that it prints as {@code (a, b)} and never equals a list. */
record PyTuple(List<Object> items) {
    PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }
}
