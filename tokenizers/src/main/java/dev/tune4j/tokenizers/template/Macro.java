package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.Expr;
import dev.tune4j.tokenizers.template.Node.Stmt;
import java.util.List;

/** A macro (or the {@code caller} of a call block) closed over the scope that defined it. */
record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, Frame closure) {
    @Override
    public String toString() {
        return "<Macro '" + name + "'>";
    }
}
