package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.*;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Generic traversal of the syntax tree, for compile-time facts such as which names a macro reads. */
final class NodeWalk {
    private NodeWalk() {}

    /**
     * Which of {@code names} are read as variables anywhere in {@code body}, nested macros and
     * blocks included: jinja2 decides from this whether a macro accepts extra positional
     * ({@code varargs}) or keyword ({@code kwargs}) arguments and a {@code caller}.
     */
    static Set<String> reads(List<Stmt> body, Set<String> names) {
        Set<String> found = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>(body);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n instanceof Name name && names.contains(name.name())) {
                found.add(name.name());
            }
            todo.addAll(children(n));
        }
        return found;
    }

    private static void add(List<Node> out, Args a) {
        out.addAll(a.positional());
        out.addAll(a.kwValues());
        if (a.star() != null) {
            out.add(a.star());
        }
        if (a.starStar() != null) {
            out.add(a.starStar());
        }
    }

    private static void addIfPresent(List<Node> out, Node n) {
        if (n != null) {
            out.add(n);
        }
    }

    static List<Node> children(Node n) {
        List<Node> out = new ArrayList<>();
        switch (n) {
            case Data d -> { }
            case Print p -> out.add(p.expr());
            case If i -> {
                out.addAll(i.tests());
                i.bodies().forEach(out::addAll);
                out.addAll(i.elseBody());
            }
            case For f -> {
                out.add(f.iter());
                addIfPresent(out, f.filter());
                out.addAll(f.body());
                out.addAll(f.elseBody());
            }
            case Assign a -> out.add(a.value());
            case AssignBlock a -> {
                a.filters().forEach(fc -> add(out, fc.args()));
                out.addAll(a.body());
            }
            case MacroDef m -> {
                out.addAll(m.defaults());
                out.addAll(m.body());
            }
            case CallBlock c -> {
                out.add(c.call());
                out.addAll(c.defaults());
                out.addAll(c.body());
            }
            case FilterBlock fb -> {
                fb.filters().forEach(fc -> add(out, fc.args()));
                out.addAll(fb.body());
            }
            case With w -> {
                out.addAll(w.values());
                out.addAll(w.body());
            }
            case Generation g -> out.addAll(g.body());
            case Break b -> { }
            case Continue c -> { }
            case Const c -> { }
            case Name nm -> { }
            case NsRef r -> { }
            case ListLit l -> out.addAll(l.items());
            case TupleLit t -> out.addAll(t.items());
            case DictLit d -> {
                out.addAll(d.keys());
                out.addAll(d.values());
            }
            case GetAttr g -> out.add(g.obj());
            case GetItem g -> {
                out.add(g.obj());
                out.add(g.key());
            }
            case Slice s -> {
                addIfPresent(out, s.start());
                addIfPresent(out, s.stop());
                addIfPresent(out, s.step());
            }
            case Call c -> {
                out.add(c.fn());
                add(out, c.args());
            }
            case Filter f -> {
                out.add(f.value());
                add(out, f.filter().args());
            }
            case Test t -> {
                out.add(t.value());
                add(out, t.args());
            }
            case Unary u -> out.add(u.operand());
            case Not nt -> out.add(nt.operand());
            case BinOp b -> {
                out.add(b.left());
                out.add(b.right());
            }
            case And a -> {
                out.add(a.left());
                out.add(a.right());
            }
            case Or o -> {
                out.add(o.left());
                out.add(o.right());
            }
            case Compare c -> {
                out.add(c.first());
                out.addAll(c.rest());
            }
            case CondExpr c -> {
                out.add(c.test());
                out.add(c.then());
                addIfPresent(out, c.otherwise());
            }
        }
        return out;
    }
}
