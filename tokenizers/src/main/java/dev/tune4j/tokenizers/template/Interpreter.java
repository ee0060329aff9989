package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.*;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a parsed template once. Not shared between threads: {@link ChatTemplate#render} makes
 * a new one per call. Scoping follows jinja2: each for-loop iteration, macro call and with-block
 * gets a fresh scope whose parent is the enclosing one; if-blocks and set-blocks do not.
 */
final class Interpreter {
    /** Deepest macro (or recursive loop) nesting before rendering fails; Python's limit is similar. */
    static final int MAX_CALL_DEPTH = 100;

    private enum Flow { NORMAL, BREAK, CONTINUE }

    final Clock clock;
    private StringBuilder out = new StringBuilder();
    /** The top-level output; {@code out} differs from it while a macro or block is captured. */
    private final StringBuilder root = out;
    private final List<RenderedChat.Span> generationSpans = new ArrayList<>();
    private int callDepth;

    Interpreter(Clock clock) {
        this.clock = clock;
    }

    String render(List<Stmt> body, Frame frame) {
        exec(body, frame);
        return out.toString();
    }

    List<RenderedChat.Span> generationSpans() {
        return generationSpans;
    }

    // ---- statements -------------------------------------------------------------------------

    private Flow exec(List<Stmt> body, Frame f) {
        for (Stmt s : body) {
            Flow flow = exec(s, f);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt s, Frame f) {
        switch (s) {
            case Data d -> out.append(d.text());
            case Print p -> out.append(Py.str(eval(p.expr(), f)));
            case If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(eval(i.tests().get(k), f))) {
                        return exec(i.bodies().get(k), f);
                    }
                }
                return exec(i.elseBody(), f);
            }
            case For loop -> {
                renderLoop(loop, eval(loop.iter(), f), f, 0);
            }
            case Assign a -> assign(a.target(), eval(a.value(), f), f);
            case AssignBlock a -> {
                // block bodies get an inner scope in jinja2: their own sets do not leak
                Object v = applyFilters(a.filters(), capture(a.body(), new Frame(f)), f);
                assign(a.target(), v, f);
            }
            case MacroDef m -> f.set(m.name(), new Macro(m.name(), m.params(), m.defaults(), m.body(), m.reads(), f));
            case CallBlock c -> {
                Macro caller = new Macro(null, c.params(), c.defaults(), c.body(), c.reads(), f);
                Object fn = eval(c.call().fn(), f);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(c.call().args(), f, args, kwargs);
                kwargs.put("caller", caller);
                out.append(Py.str(call(fn, args, kwargs)));
            }
            case FilterBlock fb -> out.append(Py.str(applyFilters(fb.filters(), capture(fb.body(), new Frame(f)), f)));
            case With w -> {
                Frame inner = new Frame(f);
                for (int k = 0; k < w.targets().size(); k++) {
                    assign(w.targets().get(k), eval(w.values().get(k), f), inner);
                }
                return exec(w.body(), inner);
            }
            case Generation g -> {
                // transformers runs the body as a call block: its own scope, and the span starts at the
                // length of the top-level output at this moment (in code points, like Python)
                String rv = capture(g.body(), new Frame(f));
                int start = root.codePointCount(0, root.length());
                out.append(rv);
                generationSpans.add(new RenderedChat.Span(start, start + rv.codePointCount(0, rv.length())));
            }
            case Break b -> {
                return Flow.BREAK;
            }
            case Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private String capture(List<Stmt> body, Frame f) {
        StringBuilder saved = out;
        out = new StringBuilder();
        try {
            exec(body, f);
            return out.toString();
        } finally {
            out = saved;
        }
    }

    private Object applyFilters(List<FilterCall> filters, Object value, Frame f) {
        for (FilterCall fc : filters) {
            value = applyFilter(fc, value, f);
        }
        return value;
    }

    private void renderLoop(For loop, Object iterable, Frame f, int depth0) {
        List<Object> items = Py.iterate(iterable);
        if (loop.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Frame probe = new Frame(f);
                assign(loop.target(), item, probe);
                if (Py.truthy(eval(loop.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        LoopContext ctx = new LoopContext(items, depth0, loop.recursive() ? sub -> {
            enterCall();
            try {
                StringBuilder saved = out;
                out = new StringBuilder();
                try {
                    renderLoop(loop, sub, f, depth0 + 1);
                    return out.toString();
                } finally {
                    out = saved;
                }
            } finally {
                callDepth--;
            }
        } : null);
        for (int i = 0; i < items.size(); i++) {
            Frame it = new Frame(f);
            assign(loop.target(), items.get(i), it);
            ctx.index0 = i;
            it.set("loop", ctx);
            if (exec(loop.body(), it) == Flow.BREAK) {
                break;
            }
        }
        if (items.isEmpty()) {
            exec(loop.elseBody(), f);
        }
    }

    private void assign(Expr target, Object value, Frame f) {
        switch (target) {
            case Name n -> f.set(n.name(), value);
            case TupleLit t -> {
                List<Object> values = Py.iterate(value);
                if (values.size() != t.items().size()) {
                    throw new TemplateException("ValueError: " + (values.size() > t.items().size()
                            ? "too many values to unpack (expected " + t.items().size() + ")"
                            : "not enough values to unpack (expected " + t.items().size() + ", got " + values.size() + ")"));
                }
                for (int i = 0; i < values.size(); i++) {
                    assign(t.items().get(i), values.get(i), f);
                }
            }
            case NsRef r -> {
                Object ns = f.lookup(r.name());
                if (!(ns instanceof Namespace namespace)) {
                    throw new TemplateException("cannot assign attribute on non-namespace object");
                }
                namespace.attrs.put(r.attr(), value);
            }
            default -> throw new TemplateException("cannot assign to " + target);
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    Object eval(Expr e, Frame f) {
        return switch (e) {
            case Const c -> c.value();
            case Name n -> {
                Object v = f.lookup(n.name());
                yield v == Frame.MISSING ? Undefined.named(n.name()) : v;
            }
            case ListLit l -> {
                List<Object> items = new ArrayList<>(l.items().size());
                for (Expr x : l.items()) {
                    items.add(eval(x, f));
                }
                yield items;
            }
            case TupleLit t -> {
                List<Object> items = new ArrayList<>(t.items().size());
                for (Expr x : t.items()) {
                    items.add(eval(x, f));
                }
                yield new PyTuple(items);
            }
            case DictLit d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object k = eval(d.keys().get(i), f);
                    if (k instanceof List || k instanceof Map) {
                        throw new TemplateException("TypeError: unhashable type: '" + Py.typeName(k) + "'");
                    }
                    Object v = eval(d.values().get(i), f);
                    Object existing = Py.isNumber(k) ? m.keySet().stream().filter(x -> Py.eq(x, k)).findFirst().orElse(k) : k;
                    m.put(existing, v);
                }
                yield m;
            }
            case GetAttr g -> getattr(eval(g.obj(), f), g.attr());
            case GetItem g -> {
                Object obj = eval(g.obj(), f);
                if (g.key() instanceof Slice s) {
                    if (obj instanceof Undefined u) {
                        throw u.fail();
                    }
                    Object start = s.start() == null ? null : eval(s.start(), f);
                    Object stop = s.stop() == null ? null : eval(s.stop(), f);
                    Object step = s.step() == null ? null : eval(s.step(), f);
                    if (!(obj instanceof String || obj instanceof Markup || obj instanceof List || obj instanceof PyTuple
                            || obj instanceof PyRange)) {
                        // jinja2 compiles slices to a plain Python subscript, bypassing its getitem
                        throw new TemplateException("TypeError: " + (obj instanceof Map ? "unhashable type: 'slice'"
                                : "'" + Py.typeName(obj) + "' object is not subscriptable"));
                    }
                    yield Py.slice(obj, start, stop, step);
                }
                yield getitem(obj, eval(g.key(), f));
            }
            case Slice s -> throw new TemplateException("slice outside of a subscript");
            case Call c -> {
                Object fn = eval(c.fn(), f);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(c.args(), f, args, kwargs);
                yield call(fn, args, kwargs);
            }
            case Filter fl -> applyFilter(fl.filter(), eval(fl.value(), f), f);
            case Test t -> {
                Object v = eval(t.value(), f);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(t.args(), f, args, kwargs);
                try {
                    yield Tests.apply(this, t.name(), v, args, kwargs);
                } catch (IndexOutOfBoundsException | ClassCastException | NumberFormatException ex) {
                    throw badArguments("test '" + t.name() + "'", ex);
                }
            }
            case Unary u -> u.op().equals("-") ? Py.negate(eval(u.operand(), f)) : Py.plus(eval(u.operand(), f));
            case Not n -> !Py.truthy(eval(n.operand(), f));
            case BinOp b -> {
                Object l = eval(b.left(), f);
                Object r = eval(b.right(), f);
                yield b.op().equals("~") ? Py.str(l) + Py.str(r) : Py.binary(b.op(), l, r);
            }
            case And a -> {
                Object l = eval(a.left(), f);
                yield Py.truthy(l) ? eval(a.right(), f) : l;
            }
            case Or o -> {
                Object l = eval(o.left(), f);
                yield Py.truthy(l) ? l : eval(o.right(), f);
            }
            case Compare c -> {
                Object left = eval(c.first(), f);
                boolean result = true;
                for (int i = 0; i < c.ops().size() && result; i++) {
                    Object right = eval(c.rest().get(i), f);
                    result = compare(c.ops().get(i), left, right);
                    left = right;
                }
                yield result;
            }
            case CondExpr c -> {
                if (Py.truthy(eval(c.test(), f))) {
                    yield eval(c.then(), f);
                }
                yield c.otherwise() == null
                        ? Undefined.withMessage("the inline if-expression evaluated to false and no else section was defined.")
                        : eval(c.otherwise(), f);
            }
            case NsRef r -> throw new TemplateException("namespace reference outside of an assignment");
        };
    }

    private static boolean compare(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> Py.eq(a, b);
            case "!=" -> !Py.eq(a, b);
            case "<" -> Py.compare(a, b, op) < 0;
            case "<=" -> Py.compare(a, b, op) <= 0;
            case ">" -> Py.compare(a, b, op) > 0;
            case ">=" -> Py.compare(a, b, op) >= 0;
            case "in" -> Py.contains(b, a);
            case "notin" -> !Py.contains(b, a);
            default -> throw new IllegalStateException(op);
        };
    }

    private void evalArgs(Args a, Frame f, List<Object> args, Map<String, Object> kwargs) {
        for (Expr x : a.positional()) {
            args.add(eval(x, f));
        }
        if (a.star() != null) {
            args.addAll(Py.iterate(eval(a.star(), f)));
        }
        for (int i = 0; i < a.kwNames().size(); i++) {
            kwargs.put(a.kwNames().get(i), eval(a.kwValues().get(i), f));
        }
        if (a.starStar() != null) {
            Object m = eval(a.starStar(), f);
            if (!(m instanceof Map<?, ?> map)) {
                throw new TemplateException("TypeError: argument after ** must be a mapping, not " + Py.typeName(m));
            }
            map.forEach((k, v) -> kwargs.put(Py.str(k), v));
        }
    }

    Object applyFilter(FilterCall fc, Object value, Frame f) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        evalArgs(fc.args(), f, args, kwargs);
        try {
            return Filters.apply(this, fc.name(), value, args, kwargs);
        } catch (IndexOutOfBoundsException | ClassCastException | NumberFormatException e) {
            throw badArguments("filter '" + fc.name() + "'", e);
        }
    }

    /** Built-ins index their argument lists directly; a wrong count or type surfaces as Python's TypeError. */
    private static TemplateException badArguments(String what, RuntimeException e) {
        return new TemplateException("TypeError: invalid arguments for " + what + " (" + e.getMessage() + ")", e);
    }

    /** jinja2's sandboxed {@code getattr}: attribute (method) first, then item lookup. */
    Object getattr(Object obj, String name) {
        if (obj == null) {
            return Undefined.attribute(null, name);
        }
        switch (obj) {
            case Undefined u -> throw u.fail();
            case Namespace ns -> {
                return ns.attrs.containsKey(name) ? ns.attrs.get(name) : Undefined.attribute(obj, name);
            }
            case LoopContext loop -> {
                return loop.attr(name);
            }
            case Cycler c -> {
                return c.attr(name);
            }
            default -> { }
        }
        Object method = Methods.bound(obj, name);
        if (method != null) {
            return method;
        }
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        return Undefined.attribute(obj, name);
    }

    /** jinja2's sandboxed {@code getitem}: item first, then attribute for string keys. */
    Object getitem(Object obj, Object key) {
        if (obj == null) {
            return Undefined.attribute(null, key);
        }
        if (obj instanceof PyIterator || obj instanceof PyView) {
            return Undefined.attribute(obj, key); // getitem's TypeError is caught by jinja2; slices raise instead
        }
        switch (obj) {
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                if (m.containsKey(key)) {
                    return m.get(key);
                }
                if (Py.isNumber(key)) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (Py.eq(e.getKey(), key)) {
                            return e.getValue();
                        }
                    }
                }
            }
            case Markup m when Py.isIntegral(key) -> {
                Object ch = getitem(m.text(), key);
                return ch instanceof String s ? new Markup(s) : ch;
            }
            case String s when Py.isIntegral(key) -> {
                int[] cps = PyStr.codePoints(s);
                long i = Py.asLong(key);
                if (i < 0) {
                    i += cps.length;
                }
                if (i >= 0 && i < cps.length) {
                    return Character.toString(cps[(int) i]);
                }
                return Undefined.attribute(obj, key);
            }
            case List<?> l when Py.isIntegral(key) -> {
                return index(l, Py.asLong(key), obj, key);
            }
            case PyTuple t when Py.isIntegral(key) -> {
                return index(t.items(), Py.asLong(key), obj, key);
            }
            case PyRange r when Py.isIntegral(key) -> {
                long i = Py.asLong(key) < 0 ? Py.asLong(key) + r.length() : Py.asLong(key);
                return i >= 0 && i < r.length() ? (Object) r.at(i) : Undefined.attribute(obj, key);
            }
            default -> { }
        }
        if (key instanceof String name) {
            if (obj instanceof Namespace || obj instanceof LoopContext) {
                return getattr(obj, name);
            }
            Object method = Methods.bound(obj, name);
            if (method != null) {
                return method;
            }
        }
        return Undefined.attribute(obj, key);
    }

    private static Object index(List<?> l, long i, Object obj, Object key) {
        if (i < 0) {
            i += l.size();
        }
        return i >= 0 && i < l.size() ? l.get((int) i) : Undefined.attribute(obj, key);
    }

    Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        return switch (fn) {
            case PyCallable c -> {
                try {
                    yield c.call(args, kwargs);
                } catch (IndexOutOfBoundsException | ClassCastException | NumberFormatException e) {
                    throw badArguments("a built-in function or method", e);
                }
            }
            case Macro m -> callMacro(m, args, kwargs);
            case LoopContext loop -> {
                if (args.size() != 1) {
                    throw new TemplateException("TypeError: loop() takes exactly one argument");
                }
                yield loop.call(args.get(0));
            }
            case Undefined u -> throw u.fail();
            case null -> throw new TemplateException("TypeError: 'NoneType' object is not callable");
            default -> throw new TemplateException("TypeError: '" + Py.typeName(fn) + "' object is not callable");
        };
    }

    private void enterCall() {
        if (++callDepth > MAX_CALL_DEPTH) {
            callDepth = 0;
            throw new TemplateException("RecursionError: macro calls nested deeper than " + MAX_CALL_DEPTH);
        }
    }

    /** Binds arguments as jinja2's {@code Macro.__call__} does, with its errors for unexpected ones. */
    private String callMacro(Macro m, List<Object> args, Map<String, Object> kwargs) {
        String label = m.name() == null ? "None" : "'" + m.name() + "'";
        enterCall();
        try {
            Frame inner = new Frame(m.closure());
            Map<String, Object> extraKw = new LinkedHashMap<>(kwargs);
            int nParams = m.params().size();
            int firstDefault = nParams - m.defaults().size();
            for (int i = 0; i < nParams; i++) {
                String p = m.params().get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (extraKw.containsKey(p)) {
                    v = extraKw.remove(p);
                } else if (i >= firstDefault) {
                    v = eval(m.defaults().get(i - firstDefault), inner);
                } else {
                    v = Undefined.withMessage("parameter '" + p + "' was not provided");
                }
                inner.set(p, v);
            }
            if (m.reads().contains("caller") && !m.params().contains("caller")) {
                Object caller = extraKw.remove("caller");
                inner.set("caller", caller != null ? caller : Undefined.withMessage("No caller defined"));
            }
            if (m.reads().contains("kwargs")) {
                inner.set("kwargs", extraKw);
            } else if (!extraKw.isEmpty()) {
                if (extraKw.containsKey("caller")) {
                    throw new TemplateException("TypeError: macro " + label + " was invoked with two values for the "
                            + "special caller argument. This is most likely a bug.");
                }
                throw new TemplateException("TypeError: macro " + label + " takes no keyword argument '"
                        + extraKw.keySet().iterator().next() + "'");
            }
            if (m.reads().contains("varargs")) {
                inner.set("varargs", new PyTuple(args.size() > nParams ? args.subList(nParams, args.size()) : List.of()));
            } else if (args.size() > nParams) {
                throw new TemplateException("TypeError: macro " + label + " takes not more than " + nParams
                        + " argument(s)");
            }
            return capture(m.body(), inner);
        } finally {
            callDepth--;
        }
    }
}
