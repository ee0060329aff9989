package dev.tune4j.tokenizers.template;

/**
 * A chat template that cannot be parsed: unterminated tag, unexpected token, unknown filter or
 * test, nesting deeper than the interpreter supports.
 *
 * <p>Python equivalent: {@code jinja2.exceptions.TemplateSyntaxError}. The message ends with
 * {@code " (line L, column C)"}; both are 1-based and also available as {@link #line()} and
 * {@link #column()}.
 */
public class TemplateSyntaxException extends TemplateException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    /** Creates an exception for a problem at the given 1-based line and column. */
    public TemplateSyntaxException(String message, int line, int column) {
        super(message + " (line " + line + ", column " + column + ")");
        this.line = line;
        this.column = column;
    }

    /** The 1-based line of the template where the problem was found. */
    public int line() {
        return line;
    }

    /** The 1-based column (in UTF-16 units) of the template where the problem was found. */
    public int column() {
        return column;
    }
}
