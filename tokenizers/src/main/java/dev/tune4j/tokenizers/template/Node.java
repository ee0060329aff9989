package dev.tune4j.tokenizers.template;

import java.util.List;
import java.util.Set;

/** The syntax tree of a compiled template: statements ({@link Stmt}) and expressions ({@link Expr}). */
sealed interface Node {

    /** A statement; executing it appends to the output. */
    sealed interface Stmt extends Node {}

    /** An expression; evaluating it yields a value. {@code offset} locates it for error messages. */
    sealed interface Expr extends Node {}

    // ---- statements -------------------------------------------------------------------------

    record Data(String text) implements Stmt {}

    record Print(Expr expr) implements Stmt {}

    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> elseBody) implements Stmt {}

    record For(Expr target, Expr iter, Expr filter, List<Stmt> body, List<Stmt> elseBody, boolean recursive)
            implements Stmt {}

    record Assign(Expr target, Expr value) implements Stmt {}

    record AssignBlock(Expr target, List<FilterCall> filters, List<Stmt> body) implements Stmt {}

    /** {@code reads}: which of caller, kwargs, varargs the body uses (jinja2 accepts those extras only then). */
    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body, Set<String> reads)
            implements Stmt {}

    record CallBlock(Call call, List<String> params, List<Expr> defaults, List<Stmt> body, Set<String> reads)
            implements Stmt {}

    record FilterBlock(List<FilterCall> filters, List<Stmt> body) implements Stmt {}

    record With(List<Expr> targets, List<Expr> values, List<Stmt> body) implements Stmt {}

    record Break() implements Stmt {}

    record Continue() implements Stmt {}

    /** transformers' {@code {% generation %}} tag: renders its body unchanged. */
    record Generation(List<Stmt> body) implements Stmt {}

    // ---- expressions ------------------------------------------------------------------------

    record Const(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record ListLit(List<Expr> items) implements Expr {}

    record TupleLit(List<Expr> items) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr {}

    record GetAttr(Expr obj, String attr) implements Expr {}

    record GetItem(Expr obj, Expr key) implements Expr {}

    record Slice(Expr start, Expr stop, Expr step) implements Expr {}

    /** Positional args, keyword args (names and values in order), {@code *args}, {@code **kwargs}. */
    record Args(List<Expr> positional, List<String> kwNames, List<Expr> kwValues, Expr star, Expr starStar) {
        static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);
    }

    record Call(Expr fn, Args args, int offset) implements Expr {}

    /** A filter application; the filtered value is the first argument. */
    record FilterCall(String name, Args args, int offset) {}

    record Filter(Expr value, FilterCall filter) implements Expr {}

    record Test(Expr value, String name, Args args, int offset) implements Expr {}

    record Unary(String op, Expr operand, int offset) implements Expr {}

    record Not(Expr operand) implements Expr {}

    record BinOp(String op, Expr left, Expr right, int offset) implements Expr {}

    record And(Expr left, Expr right) implements Expr {}

    record Or(Expr left, Expr right) implements Expr {}

    /** A comparison chain {@code a < b <= c}; ops are "==", "!=", "<", "<=", ">", ">=", "in", "notin". */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int offset) implements Expr {}

    /** {@code a if cond else b}; {@code otherwise} is null when there is no else. */
    record CondExpr(Expr test, Expr then, Expr otherwise) implements Expr {}

    /** Assignment target {@code ns.attr} of {@code {% set ns.attr = ... %}}. */
    record NsRef(String name, String attr) implements Expr {}
}
