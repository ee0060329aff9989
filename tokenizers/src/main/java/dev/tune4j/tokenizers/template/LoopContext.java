package dev.tune4j.tokenizers.template;

import java.util.List;
import java.util.function.Function;

/** jinja2's {@code loop} variable inside a for-loop. */
final class LoopContext {
    private final List<Object> items;
    private final int depth0;
    private final Function<Object, String> recurse;
    int index0;
    private Object lastChanged = Frame.MISSING;

    LoopContext(List<Object> items, int depth0, Function<Object, String> recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    Object attr(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.withMessage("there is no previous item");
            case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : Undefined.withMessage("there is no next item");
            case "cycle" -> (PyCallable) (args, kw) -> {
                if (args.isEmpty()) {
                    throw new TemplateException("TypeError: no items for cycling given");
                }
                return args.get(index0 % args.size());
            };
            case "changed" -> (PyCallable) (args, kw) -> {
                Object value = new PyTuple(args);
                if (lastChanged == Frame.MISSING || !Py.eq(lastChanged, value)) {
                    lastChanged = value;
                    return true;
                }
                return false;
            };
            default -> Undefined.attribute(this, name);
        };
    }

    /** {@code loop(children)} inside a {@code recursive} loop. */
    String call(Object iterable) {
        if (recurse == null) {
            throw new TemplateException("TypeError: Tried to call non recursive loop. Maybe you forgot the "
                    + "'recursive' modifier.");
        }
        return recurse.apply(iterable);
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
