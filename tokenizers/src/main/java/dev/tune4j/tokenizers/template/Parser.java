package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.*;
import dev.tune4j.tokenizers.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser following jinja2 3.1's {@code Parser} function by function (operator
 * precedence, where filters bind, how {@code is} tests take a bare argument), so that every
 * template parses into the same tree as in jinja2.
 *
 * <p>Recursion depth is bounded ({@link #MAX_DEPTH} nested blocks or sub-expressions) so that a
 * hostile template fails with a {@link TemplateSyntaxException} instead of overflowing the stack.
 */
final class Parser {
    /** Deepest nesting of blocks plus sub-expressions accepted; real chat templates stay under 20. */
    static final int MAX_DEPTH = 200;

    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> SPECIAL_MACRO_NAMES = Set.of("caller", "kwargs", "varargs");

    private final List<Token> tokens;
    private final SourcePositions positions;
    private int pos;
    private int depth;
    private int loopDepth;
    /** Blocks being parsed, innermost first, for "unknown tag" messages. */
    private final java.util.ArrayDeque<OpenBlock> openBlocks = new java.util.ArrayDeque<>();

    private record OpenBlock(String name, Set<String> endTokens) {
        String expected() {
            return String.join(" or ", endTokens.stream().sorted().map(t -> "'" + t + "'").toList());
        }
    }

    private Parser(List<Token> tokens, String src) {
        this.tokens = tokens;
        this.positions = new SourcePositions(src);
    }

    static List<Stmt> parse(String normalizedSource) {
        Parser p = new Parser(Lexer.tokenize(normalizedSource), normalizedSource);
        List<Stmt> body = p.subparse(Set.of());
        if (p.cur().kind() != Kind.EOF) {
            throw p.fail("unexpected " + p.cur().describe(), p.cur());
        }
        new NameCheck(p.positions).statements(body, false);
        return body;
    }

    // ---- token stream -----------------------------------------------------------------------

    private Token cur() {
        return tokens.get(pos);
    }

    private Token look() {
        return tokens.get(Math.min(pos + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (pos < tokens.size() - 1) {
            pos++;
        }
        return t;
    }

    private TemplateSyntaxException fail(String msg, Token at) {
        return positions.error(msg, at.offset());
    }

    private Token expectOp(String op) {
        if (!cur().isOp(op)) {
            throw fail("expected '" + op + "', got " + cur().describe(), cur());
        }
        return next();
    }

    private Token expectName() {
        if (cur().kind() != Kind.NAME) {
            throw fail("expected name, got " + cur().describe(), cur());
        }
        return next();
    }

    private void expectName(String name) {
        if (!cur().isName(name)) {
            throw fail("expected '" + name + "', got " + cur().describe(), cur());
        }
        next();
    }

    private void expect(Kind kind, String what) {
        if (cur().kind() != kind) {
            throw fail("expected " + what + ", got " + cur().describe(), cur());
        }
        next();
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private void enter(Token at) {
        if (++depth > MAX_DEPTH) {
            throw fail("template nested too deeply (more than " + MAX_DEPTH + " levels)", at);
        }
    }

    private void exit() {
        depth--;
    }

    // ---- statements -------------------------------------------------------------------------

    private List<Stmt> subparse(Set<String> endTokens) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = cur();
            switch (t.kind()) {
                case EOF -> {
                    return body;
                }
                case DATA -> {
                    next();
                    body.add(new Data(t.text()));
                }
                case VAR_BEGIN -> {
                    next();
                    body.add(new Print(parseTuple(false, true, Set.of(), false)));
                    expect(Kind.VAR_END, "end of print statement");
                }
                case BLOCK_BEGIN -> {
                    next();
                    if (cur().kind() == Kind.NAME && endTokens.contains(cur().text())) {
                        return body;
                    }
                    body.add(parseStatement());
                    expect(Kind.BLOCK_END, "end of statement block");
                }
                default -> throw fail("unexpected " + t.describe(), t);
            }
        }
    }

    private List<Stmt> parseStatements(Set<String> endTokens, boolean dropNeedle, Token opener) {
        skipOp(":");
        expect(Kind.BLOCK_END, "end of statement block");
        enter(opener);
        OpenBlock block = new OpenBlock(opener.text(), endTokens);
        openBlocks.push(block);
        List<Stmt> body = subparse(endTokens);
        openBlocks.pop();
        exit();
        if (cur().kind() == Kind.EOF) {
            throw fail("unexpected end of template: the '" + opener.text() + "' block opened here was never closed"
                    + " (expected " + block.expected() + ")", opener);
        }
        if (dropNeedle) {
            next();
        }
        return body;
    }

    private Stmt parseStatement() {
        Token t = cur();
        if (t.kind() != Kind.NAME) {
            throw fail("tag name expected", t);
        }
        return switch (t.text()) {
            case "if" -> parseIf();
            case "for" -> parseFor();
            case "set" -> parseSet();
            case "macro" -> parseMacro();
            case "call" -> parseCallBlock();
            case "filter" -> parseFilterBlock();
            case "with" -> parseWith();
            case "print" -> {
                next();
                yield new Print(parseTuple(false, true, Set.of(), false));
            }
            case "generation" -> {
                next();
                int savedLoops = loopDepth;
                loopDepth = 0; // the body is a call block in jinja2: break/continue cannot reach the loop
                List<Stmt> body = parseStatements(Set.of("endgeneration"), true, t);
                loopDepth = savedLoops;
                yield new Generation(body);
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    // Python's compile-time wording, which jinja2 surfaces
                    throw fail(t.text().equals("break") ? "'break' outside loop" : "'continue' not properly in loop", t);
                }
                next();
                yield t.text().equals("break") ? new Break() : new Continue();
            }
            case "include", "import", "from", "extends", "block", "autoescape" ->
                    throw fail("tag '" + t.text() + "' is not supported in chat templates", t);
            default -> {
                String msg = "encountered unknown tag '" + t.text() + "'";
                if (!openBlocks.isEmpty()) {
                    OpenBlock inner = openBlocks.peek();
                    msg += "; looking for " + inner.expected() + " to close the innermost open block '" + inner.name() + "'";
                }
                throw fail(msg, t);
            }
        };
    }

    private Stmt parseIf() {
        Token opener = next();
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> elseBody = List.of();
        while (true) {
            tests.add(parseTuple(false, false, Set.of(), false));
            bodies.add(parseStatements(Set.of("elif", "else", "endif"), false, opener));
            Token end = next();
            if (end.isName("elif")) {
                continue;
            }
            if (end.isName("else")) {
                elseBody = parseStatements(Set.of("endif"), true, opener);
            }
            break;
        }
        return new If(tests, bodies, elseBody);
    }

    private Stmt parseFor() {
        Token opener = next();
        Expr target = parseAssignTarget(true, false, Set.of("in"), false);
        expectName("in");
        Expr iter = parseTuple(false, false, Set.of("recursive"), false);
        Expr test = null;
        if (skipName("if")) {
            test = parseExpression(true);
        }
        boolean recursive = skipName("recursive");
        loopDepth++;
        List<Stmt> body = parseStatements(Set.of("endfor", "else"), false, opener);
        loopDepth--;
        List<Stmt> elseBody = List.of();
        if (next().isName("else")) {
            elseBody = parseStatements(Set.of("endfor"), true, opener);
        }
        return new For(target, iter, test, body, elseBody, recursive);
    }

    private Stmt parseSet() {
        Token opener = next();
        Expr target = parseAssignTarget(true, false, Set.of(), true);
        if (skipOp("=")) {
            return new Assign(target, parseTuple(false, true, Set.of(), false));
        }
        List<FilterCall> filters = parseFilterChain(false);
        return new AssignBlock(target, filters, parseStatements(Set.of("endset"), true, opener));
    }

    private Stmt parseMacro() {
        Token opener = next();
        String name = expectName().text();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        int savedLoops = loopDepth;
        loopDepth = 0;
        List<Stmt> body = parseStatements(Set.of("endmacro"), true, opener);
        loopDepth = savedLoops;
        return new MacroDef(name, params, defaults, body, NodeWalk.reads(body, SPECIAL_MACRO_NAMES));
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
            }
            Token name = expectName();
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail("non-default argument follows default argument", name);
            } else if (name.text().equals("caller")) {
                throw fail("When defining macros or call blocks the special \"caller\" argument must be omitted or be "
                        + "given a default.", name);
            }
            params.add(name.text());
        }
        expectOp(")");
    }

    private Stmt parseCallBlock() {
        Token opener = next();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (cur().isOp("(")) {
            parseSignature(params, defaults);
        }
        Token at = cur();
        Expr call = parseExpression(true);
        if (!(call instanceof Call c)) {
            throw fail("expected call", at);
        }
        int savedLoops = loopDepth;
        loopDepth = 0;
        List<Stmt> body = parseStatements(Set.of("endcall"), true, opener);
        loopDepth = savedLoops;
        return new CallBlock(c, params, defaults, body, NodeWalk.reads(body, SPECIAL_MACRO_NAMES));
    }

    private Stmt parseFilterBlock() {
        Token opener = next();
        List<FilterCall> filters = parseFilterChain(true);
        return new FilterBlock(filters, parseStatements(Set.of("endfilter"), true, opener));
    }

    private Stmt parseWith() {
        Token opener = next();
        List<Expr> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (cur().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOp(",");
            }
            targets.add(parseAssignTarget(true, false, Set.of(), false));
            expectOp("=");
            values.add(parseExpression(true));
        }
        return new With(targets, values, parseStatements(Set.of("endwith"), true, opener));
    }

    private Expr parseAssignTarget(boolean withTuple, boolean nameOnly, Set<String> extraEnd, boolean withNamespace) {
        Token at = cur();
        Expr target;
        if (withNamespace && at.kind() == Kind.NAME && look().isOp(".")) {
            next();
            next();
            target = new NsRef(at.text(), expectName().text());
        } else if (nameOnly) {
            target = new Name(expectName().text());
        } else if (withTuple) {
            target = parseTuple(true, true, extraEnd, false);
        } else {
            target = parsePrimary();
        }
        if (!canAssign(target)) {
            throw fail("can't assign to " + target.getClass().getSimpleName(), at);
        }
        return target;
    }

    private static boolean canAssign(Expr e) {
        return switch (e) {
            case Name n -> !Set.of("true", "false", "none", "True", "False", "None").contains(n.name());
            case NsRef r -> true;
            case TupleLit t -> t.items().stream().allMatch(Parser::canAssign);
            default -> false;
        };
    }

    // ---- expressions ------------------------------------------------------------------------

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = cur();
        if (t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")) {
            return true;
        }
        return t.kind() == Kind.NAME && extraEnd.contains(t.text());
    }

    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnd, boolean explicitParens) {
        List<Expr> args = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!args.isEmpty()) {
                expectOp(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            args.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (cur().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!args.isEmpty()) {
                return args.get(0);
            }
            if (!explicitParens) {
                throw fail("expected an expression, got " + cur().describe(), cur());
            }
        }
        return new TupleLit(List.copyOf(args));
    }

    private Expr parseExpression(boolean withCondexpr) {
        enter(cur());
        Expr e = withCondexpr ? parseCondexpr() : parseOr();
        exit();
        return e;
    }

    private Expr parseCondexpr() {
        Expr expr1 = parseOr();
        while (skipName("if")) {
            Expr expr2 = parseOr();
            Expr expr3 = null;
            if (skipName("else")) {
                enter(cur());
                expr3 = parseCondexpr();
                exit();
            }
            expr1 = new CondExpr(expr2, expr1, expr3);
        }
        return expr1;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        int chain = depth;
        while (cur().isName("or")) {
            enter(next());
            left = new Or(left, parseAnd());
        }
        depth = chain;
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        int chain = depth;
        while (cur().isName("and")) {
            enter(next());
            left = new And(left, parseNot());
        }
        depth = chain;
        return left;
    }

    private Expr parseNot() {
        if (cur().isName("not")) {
            Token t = next();
            enter(t);
            Expr e = new Not(parseNot());
            exit();
            return e;
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Token at = cur();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.kind() == Kind.OPERATOR && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
                rest.add(parseMath1());
            } else if (skipName("in")) {
                ops.add("in");
                rest.add(parseMath1());
            } else if (t.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("notin");
                rest.add(parseMath1());
            } else {
                break;
            }
        }
        return ops.isEmpty() ? first : new Compare(first, List.copyOf(ops), List.copyOf(rest), at.offset());
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        int chain = depth;
        while (cur().isOp("+") || cur().isOp("-")) {
            Token op = next();
            enter(op);
            left = new BinOp(op.text(), left, parseConcat(), op.offset());
        }
        depth = chain;
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        int chain = depth;
        while (cur().isOp("~")) {
            Token op = next();
            enter(op);
            left = new BinOp("~", left, parseMath2(), op.offset());
        }
        depth = chain;
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        int chain = depth;
        while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
            Token op = next();
            enter(op);
            left = new BinOp(op.text(), left, parsePow(), op.offset());
        }
        depth = chain;
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        int chain = depth;
        while (cur().isOp("**")) {
            Token op = next();
            enter(op);
            left = new BinOp("**", left, parseUnary(true), op.offset());
        }
        depth = chain;
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = cur();
        Expr node;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            enter(t);
            node = new Unary(t.text(), parseUnary(false), t.offset());
            exit();
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) {
            node = parseFilterExpr(node);
        }
        return node;
    }

    private Expr parsePrimary() {
        Token t = cur();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Const(Boolean.TRUE);
                    case "false", "False" -> new Const(Boolean.FALSE);
                    case "none", "None" -> new Const(null);
                    default -> new Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                while (cur().kind() == Kind.STRING) {
                    sb.append((String) next().value());
                }
                return new Const(sb.toString());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Const(t.value());
            }
            case OPERATOR -> {
                if (t.isOp("(")) {
                    next();
                    enter(t);
                    Expr e = parseTuple(false, true, Set.of(), true);
                    exit();
                    expectOp(")");
                    return e;
                }
                if (t.isOp("[")) {
                    return parseList();
                }
                if (t.isOp("{")) {
                    return parseDict();
                }
                throw fail("unexpected " + t.describe(), t);
            }
            default -> throw fail("unexpected " + t.describe(), t);
        }
    }

    private Expr parseList() {
        Token open = expectOp("[");
        enter(open);
        List<Expr> items = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!items.isEmpty()) {
                expectOp(",");
            }
            if (cur().isOp("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOp("]");
        exit();
        return new ListLit(List.copyOf(items));
    }

    private Expr parseDict() {
        Token open = expectOp("{");
        enter(open);
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().isOp("}")) {
            if (!keys.isEmpty()) {
                expectOp(",");
            }
            if (cur().isOp("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expectOp(":");
            values.add(parseExpression(true));
        }
        expectOp("}");
        exit();
        return new DictLit(List.copyOf(keys), List.copyOf(values));
    }

    private Expr parsePostfix(Expr node) {
        int chain = depth;
        try {
            return parsePostfixChain(node);
        } finally {
            depth = chain;
        }
    }

    private Expr parsePostfixChain(Expr node) {
        while (true) {
            enter(cur());
            if (cur().isOp(".") || cur().isOp("[")) {
                node = parseSubscript(node);
            } else if (cur().isOp("(")) {
                Token t = cur();
                node = new Call(node, parseCallArgs(), t.offset());
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        int chain = depth;
        try {
            return parseFilterChainExpr(node);
        } finally {
            depth = chain;
        }
    }

    private Expr parseFilterChainExpr(Expr node) {
        while (true) {
            enter(cur());
            if (cur().isOp("|")) {
                for (FilterCall f : parseFilterChain(false)) {
                    node = new Filter(node, f);
                }
            } else if (cur().isName("is")) {
                node = parseTest(node);
            } else if (cur().isOp("(")) {
                Token t = cur();
                node = new Call(node, parseCallArgs(), t.offset());
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.kind() == Kind.NAME) {
                return new GetAttr(node, attr.text());
            }
            if (attr.kind() != Kind.INTEGER) {
                throw fail("expected name or number", attr);
            }
            return new GetItem(node, new Const(attr.value()));
        }
        enter(t);
        List<Expr> args = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!args.isEmpty()) {
                expectOp(",");
            }
            args.add(parseSubscribed());
        }
        expectOp("]");
        exit();
        if (args.isEmpty()) {
            throw fail("expected an expression, got ']'", t);
        }
        return new GetItem(node, args.size() == 1 ? args.get(0) : new TupleLit(List.copyOf(args)));
    }

    private Expr parseSubscribed() {
        Expr start = null;
        if (cur().isOp(":")) {
            next();
        } else {
            Expr e = parseExpression(true);
            if (!cur().isOp(":")) {
                return e;
            }
            next();
            start = e;
        }
        Expr stop = null;
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (cur().isOp(":")) {
            next();
            if (!cur().isOp("]") && !cur().isOp(",")) {
                step = parseExpression(true);
            }
        }
        return new Slice(start, stop, step);
    }

    private Args parseCallArgs() {
        Token open = expectOp("(");
        enter(open);
        List<Expr> positional = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        Expr star = null;
        Expr starStar = null;
        boolean requireComma = false;
        while (!cur().isOp(")")) {
            if (requireComma) {
                expectOp(",");
                if (cur().isOp(")")) {
                    break;
                }
            }
            Token t = cur();
            if (t.isOp("*")) {
                if (star != null || starStar != null) {
                    throw fail("invalid syntax for function call expression", t);
                }
                next();
                star = parseExpression(true);
            } else if (t.isOp("**")) {
                if (starStar != null) {
                    throw fail("invalid syntax for function call expression", t);
                }
                next();
                starStar = parseExpression(true);
            } else if (t.kind() == Kind.NAME && look().isOp("=")) {
                if (starStar != null) {
                    throw fail("invalid syntax for function call expression", t);
                }
                next();
                next();
                kwNames.add(t.text());
                kwValues.add(parseExpression(true));
            } else {
                if (star != null || starStar != null || !kwNames.isEmpty()) {
                    throw fail("invalid syntax for function call expression", t);
                }
                positional.add(parseExpression(true));
            }
            requireComma = true;
        }
        expectOp(")");
        exit();
        return new Args(List.copyOf(positional), List.copyOf(kwNames), List.copyOf(kwValues), star, starStar);
    }

    /** Parses {@code |f(args)|g...}; with {@code startInline} the first filter has no leading pipe. */
    private List<FilterCall> parseFilterChain(boolean startInline) {
        List<FilterCall> chain = new ArrayList<>();
        int saved = depth;
        while (cur().isOp("|") || startInline) {
            if (!startInline) {
                next();
            }
            startInline = false;
            Token name = expectName();
            enter(name);
            String full = name.text();
            while (cur().isOp(".")) {
                next();
                full += "." + expectName().text();
            }
            Args args = cur().isOp("(") ? parseCallArgs() : Args.NONE;
            chain.add(new FilterCall(full, args, name.offset()));
        }
        depth = saved;
        return chain;
    }

    private Expr parseTest(Expr node) {
        next();
        boolean negated = skipName("not");
        Token name = expectName();
        String full = name.text();
        while (cur().isOp(".")) {
            next();
            full += "." + expectName().text();
        }
        Args args = Args.NONE;
        Token t = cur();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOp("(") || t.isOp("[") || t.isOp("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw fail("you cannot chain multiple tests with is", t);
            }
            Expr arg = parsePostfix(parsePrimary());
            args = new Args(List.of(arg), List.of(), List.of(), null, null);
        }
        Expr test = new Test(node, full, args, name.offset());
        return negated ? new Not(test) : test;
    }
}
