package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.*;
import java.util.List;

/**
 * Rejects unknown filters and tests at compile time, where jinja2 3.1 does. jinja2 only defers the
 * error to run time (raising it if the branch is reached) for names used directly in an
 * {@code {% if %}} statement or an inline {@code a if b else c}, so that templates can probe
 * optional filters ({@code {% if x is string %}{{ x|from_json }}{% endif %}}); for-loops, macros,
 * set/filter/call blocks start a fresh, strict scope even inside an if.
 */
final class NameCheck {
    private final SourcePositions positions;

    NameCheck(SourcePositions positions) {
        this.positions = positions;
    }

    void statements(List<Stmt> body, boolean soft) {
        for (Stmt s : body) {
            statement(s, soft);
        }
    }

    private void statement(Stmt s, boolean soft) {
        switch (s) {
            case Data d -> { }
            case Print p -> expr(p.expr(), soft);
            case If i -> {
                i.tests().forEach(t -> expr(t, true));
                i.bodies().forEach(b -> statements(b, true));
                statements(i.elseBody(), true);
            }
            case For f -> {
                expr(f.iter(), soft);
                if (f.filter() != null) {
                    expr(f.filter(), false);
                }
                statements(f.body(), false);
                statements(f.elseBody(), false);
            }
            case Assign a -> expr(a.value(), soft);
            case AssignBlock a -> {
                a.filters().forEach(fc -> filter(fc, false));
                statements(a.body(), false);
            }
            case MacroDef m -> {
                m.defaults().forEach(d -> expr(d, false));
                statements(m.body(), false);
            }
            case CallBlock c -> {
                expr(c.call(), soft);
                c.defaults().forEach(d -> expr(d, false));
                statements(c.body(), false);
            }
            case FilterBlock fb -> {
                fb.filters().forEach(fc -> filter(fc, false));
                statements(fb.body(), false);
            }
            case With w -> {
                w.values().forEach(v -> expr(v, soft));
                statements(w.body(), false);
            }
            case Generation g -> statements(g.body(), false);
            case Break b -> { }
            case Continue c -> { }
        }
    }

    private void filter(FilterCall fc, boolean soft) {
        if (!soft && !Filters.exists(fc.name())) {
            throw positions.error("No filter named '" + fc.name() + "'.", fc.offset());
        }
        args(fc.args(), soft);
    }

    private void args(Args a, boolean soft) {
        a.positional().forEach(x -> expr(x, soft));
        a.kwValues().forEach(x -> expr(x, soft));
        if (a.star() != null) {
            expr(a.star(), soft);
        }
        if (a.starStar() != null) {
            expr(a.starStar(), soft);
        }
    }

    private void expr(Expr e, boolean soft) {
        switch (e) {
            case Const c -> { }
            case Name n -> { }
            case NsRef r -> { }
            case ListLit l -> l.items().forEach(x -> expr(x, soft));
            case TupleLit t -> t.items().forEach(x -> expr(x, soft));
            case DictLit d -> {
                d.keys().forEach(x -> expr(x, soft));
                d.values().forEach(x -> expr(x, soft));
            }
            case GetAttr g -> expr(g.obj(), soft);
            case GetItem g -> {
                expr(g.obj(), soft);
                expr(g.key(), soft);
            }
            case Slice s -> {
                for (Expr x : new Expr[] {s.start(), s.stop(), s.step()}) {
                    if (x != null) {
                        expr(x, soft);
                    }
                }
            }
            case Call c -> {
                expr(c.fn(), soft);
                args(c.args(), soft);
            }
            case Filter f -> {
                expr(f.value(), soft);
                filter(f.filter(), soft);
            }
            case Test t -> {
                if (!soft && !Tests.exists(t.name())) {
                    throw positions.error("No test named '" + t.name() + "'.", t.offset());
                }
                expr(t.value(), soft);
                args(t.args(), soft);
            }
            case Unary u -> expr(u.operand(), soft);
            case Not n -> expr(n.operand(), soft);
            case BinOp b -> {
                expr(b.left(), soft);
                expr(b.right(), soft);
            }
            case And a -> {
                expr(a.left(), soft);
                expr(a.right(), soft);
            }
            case Or o -> {
                expr(o.left(), soft);
                expr(o.right(), soft);
            }
            case Compare c -> {
                expr(c.first(), soft);
                c.rest().forEach(x -> expr(x, soft));
            }
            case CondExpr c -> {
                expr(c.test(), true);
                expr(c.then(), true);
                if (c.otherwise() != null) {
                    expr(c.otherwise(), true);
                }
            }
        }
    }
}
