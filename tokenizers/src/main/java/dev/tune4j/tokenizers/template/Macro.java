package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.Expr;
import dev.tune4j.tokenizers.template.Node.Stmt;
import java.util.List;
import java.util.Set;

/**
 * A macro (or the {@code caller} of a call block) closed over the scope that defined it;
 * {@code reads} says which of caller, kwargs, varargs its body uses.
 */
record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, Set<String> reads,
        Frame closure) {
    @Override
    public String toString() {
        return name == null ? "<Macro anonymous>" : "<Macro '" + name + "'>";
    }
}
