package dev.tune4j.tokenizers.template;

/**
 * jinja2's default {@code Undefined}: what a missing variable, key or attribute evaluates to.
 * It prints as the empty string, is falsy, iterates as empty and has length 0; using it any other
 * way (calling it, reading an attribute or item of it, arithmetic) raises, with jinja2's message.
 */
final class Undefined {
    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    /** A missing variable {@code name}. */
    static Undefined named(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    /** A missing attribute or key {@code name} of {@code owner}. */
    static Undefined attribute(Object owner, Object name) {
        String owned = owner == null ? "'None'" : "'" + Py.typeName(owner) + " object'";
        if (name instanceof String s) {
            return new Undefined(owned + " has no attribute " + PyStr.repr(s));
        }
        return new Undefined(owned + " has no element " + Py.repr(name));
    }

    /** What the immutable sandbox returns for a mutating method such as {@code list.append}. */
    static Undefined unsafe(Object owner, String name) {
        return new Undefined("access to attribute '" + name + "' of '" + Py.typeName(owner) + "' object is unsafe.");
    }

    static Undefined withMessage(String message) {
        return new Undefined(message);
    }

    String message() {
        return message;
    }

    /** The exception jinja2 raises when this value is used in a way Undefined does not allow. */
    TemplateException fail() {
        return new TemplateException(message);
    }

    @Override
    public String toString() {
        return "";
    }
}
