package dev.tune4j.tokenizers.template;

/** One lexer token; {@code offset} indexes the newline-normalized source, for error positions. */
record Token(Kind kind, String text, Object value, int offset) {

    enum Kind { DATA, BLOCK_BEGIN, BLOCK_END, VAR_BEGIN, VAR_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isName(String t) {
        return kind == Kind.NAME && text.equals(t);
    }

    boolean isOp(String t) {
        return kind == Kind.OPERATOR && text.equals(t);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case BLOCK_END -> "end of statement block";
            case VAR_END -> "end of print statement";
            case DATA -> "template data";
            case STRING -> "string " + text;
            default -> "'" + text + "'";
        };
    }
}
